// The local NEXTAUTH_SECRET of `npm start` when none is set: generated once into a file only its owner
// may read (it signs every session), and printed for the shell to export.
//   node --import tsx scripts/local-secret.ts .data/nextauth-secret
import crypto from "node:crypto";
import fs from "node:fs";
import { pathToFileURL } from "node:url";

export function readOrCreateSecret(file: string): string {
  try {
    fs.writeFileSync(file, crypto.randomBytes(32).toString("base64url"), { flag: "wx", mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  // Also tightens a file written by an older version with the default mode.
  fs.chmodSync(file, 0o600);
  return fs.readFileSync(file, "utf8").trim();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const file = process.argv[2];
  if (!file) {
    console.error("usage: node --import tsx scripts/local-secret.ts FILE");
    process.exit(2);
  }
  process.stdout.write(readOrCreateSecret(file));
}
