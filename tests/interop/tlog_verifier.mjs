// An independent verifier of casetrack's verifiable log, written from the specifications alone
// (C2SP signed-note, tlog-checkpoint, tlog-cosignature; RFC 9162 §2.1), in another language and
// sharing no code with casetrack, so that a test shows someone else's verifier accepts our output.
//
//   node tlog_verifier.mjs <bundle.json> <keys.txt> [required witnesses]
//
// keys.txt: verifier keys `<name>+<hex key id>+<base64(type || key)>`, one per line, `#` comments;
// type 0x01 (Ed25519) for logs, 0x04 (Ed25519 cosignature/v1) for witnesses. Only the parts the
// specifications define are read from the bundle: each log's checkpoint notes, each consistency
// proof between two checkpoints, and each event's chain hash, leaf index, tree size and audit path.
// Prints `OK <n> events` and exits 0, or `FAIL: <why>` and exits 1.

import { createHash, createPublicKey, verify } from "node:crypto";
import { readFileSync } from "node:fs";

const sha256 = (...parts) => createHash("sha256").update(Buffer.concat(parts)).digest();
const ED25519_SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

function fail(why) {
  console.log(`FAIL: ${why}`);
  process.exit(1);
}

// signed-note: key ID = SHA-256(name || 0x0A || type || public key)[:4]
function parseVerifierKey(line) {
  // a name holds no "+", but base64 may: split at the first two only
  const first = line.indexOf("+");
  const second = line.indexOf("+", first + 1);
  if (first < 0 || second < 0) fail(`verifier key ${line}: not <name>+<id>+<key>`);
  const [name, hexId, b64] = [line.slice(0, first), line.slice(first + 1, second), line.slice(second + 1)];
  const raw = Buffer.from(b64, "base64");
  const type = raw[0];
  const key = raw.subarray(1);
  if (key.length !== 32) fail(`verifier key ${line}: not an Ed25519 key`);
  const id = sha256(Buffer.from(name, "utf8"), Buffer.from([0x0a, type]), key).subarray(0, 4);
  if (id.toString("hex") !== hexId) fail(`verifier key ${line}: key ID does not match`);
  const publicKey = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, key]), format: "der", type: "spki" });
  return { name, id, type, publicKey };
}

// signed-note: text (ending in a newline), a blank line, then `— <name> <base64(key ID || sig)>` lines
function parseNote(note) {
  const split = note.lastIndexOf("\n\n");
  if (split < 0 || !note.endsWith("\n")) fail("a note without a signature block");
  const text = note.slice(0, split + 1);
  const signatures = note.slice(split + 2, -1).split("\n").map((line) => {
    if (!line.startsWith("\u2014 ")) fail(`a malformed signature line: ${line}`);
    const [name, b64] = line.slice(2).split(" ");
    const blob = Buffer.from(b64, "base64");
    return { name, id: blob.subarray(0, 4), signature: blob.subarray(4) };
  });
  return { text, signatures };
}

function signedBy(note, key) {
  return note.signatures.filter((s) => s.name === key.name && s.id.equals(key.id));
}

// tlog-checkpoint: origin, decimal tree size, base64 root hash, optional extension lines
function parseCheckpoint(text) {
  const [origin, size, root] = text.split("\n");
  if (!/^(0|[1-9][0-9]*)$/.test(size)) fail(`checkpoint of ${origin}: bad tree size`);
  const rootHash = Buffer.from(root, "base64");
  if (rootHash.length !== 32) fail(`checkpoint of ${origin}: bad root hash`);
  return { origin, size: Number(size), root: rootHash };
}

function checkLogSignature(note, logKeys, origin) {
  const keys = logKeys.filter((k) => k.name === origin);
  for (const key of keys) {
    for (const s of signedBy(note, key)) {
      if (!verify(null, Buffer.from(note.text, "utf8"), key.publicKey, s.signature)) {
        fail(`checkpoint of ${origin}: the log's signature does not verify`);
      }
      return;
    }
  }
  fail(`checkpoint of ${origin}: not signed by a trusted log key`);
}

// tlog-cosignature v1: signs "cosignature/v1\ntime <t>\n" || checkpoint text; blob = t (u64 BE) || sig
function countCosignatures(note, witnessKeys) {
  let count = 0;
  for (const key of witnessKeys) {
    for (const s of signedBy(note, key)) {
      const time = s.signature.readBigUInt64BE(0);
      const message = Buffer.from(`cosignature/v1\ntime ${time}\n${note.text}`, "utf8");
      if (!verify(null, message, key.publicKey, s.signature.subarray(8))) {
        fail(`a cosignature by ${key.name} does not verify`);
      }
      count += 1;
    }
  }
  return count;
}

const node = (left, right) => sha256(Buffer.from([0x01]), left, right);
const odd = (n) => (n & 1n) === 1n;

// RFC 9162 §2.1.3.2
function verifyInclusion(leafIndex, treeSize, leafHash, path, root) {
  if (leafIndex >= treeSize) return false;
  let fn = leafIndex;
  let sn = treeSize - 1n;
  let r = leafHash;
  for (const p of path) {
    if (sn === 0n) return false;
    if (odd(fn) || fn === sn) {
      r = node(p, r);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
      }
    } else {
      r = node(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && r.equals(root);
}

// RFC 9162 §2.1.4.2
function verifyConsistency(first, second, firstHash, secondHash, proof) {
  if (first === second) return proof.length === 0 && firstHash.equals(secondHash);
  if (first === 0n || first > second || proof.length === 0) return false;
  const path = (first & (first - 1n)) === 0n ? [firstHash, ...proof] : proof;
  let fn = first - 1n;
  let sn = second - 1n;
  while (odd(fn)) { fn >>= 1n; sn >>= 1n; }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0n) return false;
    if (odd(fn) || fn === sn) {
      fr = node(c, fr);
      sr = node(c, sr);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
      }
    } else {
      sr = node(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return fr.equals(firstHash) && sr.equals(secondHash) && sn === 0n;
}

const [bundlePath, keysPath, required = "1"] = process.argv.slice(2);
const bundle = JSON.parse(readFileSync(bundlePath, "utf8"));
const keys = readFileSync(keysPath, "utf8").split("\n").map((l) => l.trim())
  .filter((l) => l && !l.startsWith("#")).map(parseVerifierKey);
const logKeys = keys.filter((k) => k.type === 0x01);
const witnessKeys = keys.filter((k) => k.type === 0x04);

const roots = {}; // service -> tree size -> root
for (const [service, log] of Object.entries(bundle.logs)) {
  roots[service] = {};
  for (const text of log.checkpoints) {
    const note = parseNote(text);
    const checkpoint = parseCheckpoint(note.text);
    if (checkpoint.origin !== log.origin) fail(`${service}: a checkpoint of another log`);
    checkLogSignature(note, logKeys, checkpoint.origin);
    const cosigned = countCosignatures(note, witnessKeys);
    roots[service][checkpoint.size] = { root: checkpoint.root, cosigned };
  }
  if (!Object.values(roots[service]).some((c) => c.cosigned >= Number(required))) {
    fail(`${service}: no checkpoint with ${required} trusted cosignature(s)`);
  }
  for (const link of log.consistency) {
    const a = roots[service][link.from_size];
    const b = roots[service][link.to_size];
    if (!a || !b) fail(`${service}: a consistency proof between checkpoints not in the bundle`);
    const proof = link.hashes.map((h) => Buffer.from(h, "base64"));
    if (!verifyConsistency(BigInt(link.from_size), BigInt(link.to_size), a.root, b.root, proof)) {
      fail(`${service}: checkpoints ${link.from_size} and ${link.to_size} are not consistent`);
    }
  }
}

let events = 0;
for (const stream of bundle.streams) {
  for (const event of stream.events) {
    const id = event.envelope.event_id;
    if (event.tree_size === null || event.tree_size === undefined) continue; // not yet in a checkpoint
    const checkpoint = roots[stream.service]?.[event.tree_size];
    if (!checkpoint) fail(`event ${id}: proved against a checkpoint not in the bundle`);
    const leaf = sha256(Buffer.from([0x00]), Buffer.from(event.envelope.hash, "hex"));
    const path = event.inclusion.map((h) => Buffer.from(h, "base64"));
    if (!verifyInclusion(BigInt(event.leaf_index), BigInt(event.tree_size), leaf, path, checkpoint.root)) {
      fail(`event ${id}: the inclusion proof does not lead to the signed root`);
    }
    events += 1;
  }
}
if (events === 0) fail("no event is proved");
console.log(`OK ${events} events`);
