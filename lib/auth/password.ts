import { randomBytes } from "node:crypto";
import bcrypt from "bcryptjs";

// bcrypt cost 12: about 0.2 s per check on these machines, which also slows password guessing.
const COST = Number(process.env.BCRYPT_COST ?? 12);

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, COST);
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(password, hash);
}

// A hash of a random password at the same cost, made once: checking against it takes as long as a real
// check, so the time of a refusal does not tell whether the e-mail has an account.
let dummyHash: Promise<string> | null = null;

/** Checks a password against an account's hash, or spends the same time refusing when there is none. */
export async function verifyPasswordOrDummy(password: string, hash: string | null | undefined): Promise<boolean> {
  if (hash) return verifyPassword(password, hash);
  dummyHash ??= hashPassword(randomBytes(16).toString("hex"));
  await verifyPassword(password, await dummyHash);
  return false;
}
