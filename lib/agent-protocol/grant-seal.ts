// Sealed transfer grants: what a transfer token may fetch, signed by the dashboard with a key of the serving agent's
// own, so that its data plane can start serving without first asking the dashboard (the round trip was most of a
// transfer's start-up S). The dashboard still confirms every grant alongside, and a refusal cuts the stream.
//
// The key is derived from the dashboard's own secret (NEXTAUTH_SECRET, never in the database) and the agent's id,
// and reaches that agent only inside the credential staff issue it (agentCredential), never over the network again:
// neither a read of the database nor a token seen in transit is enough to forge a seal, and an agent's key seals
// grants for its own data plane only. Node-only (node:crypto): the dashboard and agents.
import { createHash, createHmac, hkdfSync, timingSafeEqual } from "node:crypto";

export interface SealedGrant {
  transferId: string;
  /** The file on the serving agent. */
  path: string;
  bytes: number;
  sha256: string;
  /** sha256 (hex) of the transfer token the grant is for: the seal is useless without the token. */
  tokenHash: string;
  /** ms since the epoch: the transfer token's own expiry. */
  expiresAt: number;
}

/** The serving agent's seal key, from the dashboard's secret. */
export function dataPlaneKey(secret: string, agentId: string): Buffer {
  return Buffer.from(hkdfSync("sha256", secret, "beamline-retrain", `data-plane-grant:${agentId}`, 32));
}

const mac = (key: Buffer, body: string) => createHmac("sha256", key).update(body).digest();

export function sealGrant(key: Buffer, grant: SealedGrant): string {
  const body = Buffer.from(JSON.stringify(grant)).toString("base64url");
  return `${body}.${mac(key, body).toString("base64url")}`;
}

/**
 * The grant a seal carries when it is whole (signed with `key`), for `transferId`, for this `token`, and not expired;
 * else null (the caller then asks the dashboard, as without a seal).
 */
export function openSeal(key: Buffer, seal: string, token: string, transferId: string, now = Date.now()): SealedGrant | null {
  const [body, signature, ...rest] = seal.split(".");
  if (!body || !signature || rest.length) return null;
  const expected = mac(key, body);
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  let grant: SealedGrant;
  try {
    grant = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as SealedGrant;
  } catch {
    return null;
  }
  if (grant.transferId !== transferId || !(grant.expiresAt > now)) return null;
  if (grant.tokenHash !== createHash("sha256").update(token).digest("hex")) return null;
  return grant;
}

/** The dashboard's seal key for an agent; null when it has no secret to derive one from (grants then go unsealed). */
export function sealKeyOf(agentId: string, secret = process.env.NEXTAUTH_SECRET): Buffer | null {
  return secret && secret.length >= 16 ? dataPlaneKey(secret, agentId) : null;
}

/**
 * What staff give an agent when they issue it: its bearer token, a dot, and its seal key. The agent sends only the
 * token; the key never crosses the network again, so a token seen in transit does not let anyone seal a grant.
 */
export function agentCredential(token: string, agentId: string): string {
  const key = sealKeyOf(agentId);
  return key ? `${token}.${key.toString("base64url")}` : token;
}

/** The token and seal key of a credential; a bare token (issued before seals, or without a secret) has no key. */
export function splitCredential(credential: string): { token: string; sealKey: Buffer | null } {
  const [token, key] = credential.trim().split(".", 2);
  const sealKey = key ? Buffer.from(key, "base64url") : null;
  return { token, sealKey: sealKey?.length === 32 ? sealKey : null };
}
