import { createHash, randomBytes } from "node:crypto";

/** A random bearer secret (256 bits) and the sha256 we store instead of it. */
export function newSecret(prefix: string): { token: string; hash: string; display: string } {
  const token = `${prefix}_${randomBytes(32).toString("base64url")}`;
  return { token, hash: hashSecret(token), display: token.slice(0, prefix.length + 7) };
}

export function hashSecret(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
