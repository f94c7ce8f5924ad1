"""The console: server-rendered pages for monitors and operators over the services' APIs."""
