"""intake: owns the Case and Directive streams; where reports enter casetrack."""
