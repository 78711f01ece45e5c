import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  agentCredential,
  dataPlaneKey,
  openSeal,
  sealGrant,
  sealKeyOf,
  splitCredential,
  type SealedGrant,
} from "@/lib/agent-protocol/grant-seal";

const SECRET = "a-dashboard-secret-of-at-least-32-characters";
const token = "xfer_0123456789abcdefghijklmnopqrstuvwxyz";
const now = Date.parse("2026-12-05T10:00:00Z");
const grant: SealedGrant = {
  transferId: "t1",
  path: "/data/scan-0042.h5",
  bytes: 1_500_000,
  sha256: "a".repeat(64),
  tokenHash: createHash("sha256").update(token).digest("hex"),
  expiresAt: now + 60_000,
};

describe("sealed transfer grants", () => {
  const key = dataPlaneKey(SECRET, "edge-agent");

  it("opens with the serving agent's key, for its transfer and token, before expiry", () => {
    expect(openSeal(key, sealGrant(key, grant), token, "t1", now)).toEqual(grant);
  });

  it("derives one key per agent and per dashboard secret", () => {
    expect(dataPlaneKey(SECRET, "edge-agent").equals(key)).toBe(true);
    expect(dataPlaneKey(SECRET, "trainer-agent").equals(key)).toBe(false);
    expect(dataPlaneKey(`${SECRET}!`, "edge-agent").equals(key)).toBe(false);
  });

  it("refuses a seal made with another agent's key, or another dashboard's", () => {
    expect(openSeal(key, sealGrant(dataPlaneKey(SECRET, "trainer-agent"), grant), token, "t1", now)).toBeNull();
    expect(
      openSeal(key, sealGrant(dataPlaneKey("another-secret-of-at-least-32-characters", "edge-agent"), grant), token, "t1", now),
    ).toBeNull();
  });

  it("refuses a seal whose grant was changed (another file, more bytes) after signing", () => {
    const [body, signature] = sealGrant(key, grant).split(".");
    const changed = JSON.parse(Buffer.from(body, "base64url").toString());
    for (const edit of [{ path: "/etc/shadow" }, { bytes: 1 }, { expiresAt: now + 1e9 }]) {
      const forged = `${Buffer.from(JSON.stringify({ ...changed, ...edit })).toString("base64url")}.${signature}`;
      expect(openSeal(key, forged, token, "t1", now)).toBeNull();
    }
    expect(openSeal(key, `${body}.${signature}.x`, token, "t1", now)).toBeNull();
    expect(openSeal(key, "not a seal", token, "t1", now)).toBeNull();
  });

  it("refuses it for another transfer, another token, or once the token has expired", () => {
    const seal = sealGrant(key, grant);
    expect(openSeal(key, seal, token, "t2", now)).toBeNull();
    expect(openSeal(key, seal, `${token}x`, "t1", now)).toBeNull();
    expect(openSeal(key, seal, token, "t1", grant.expiresAt)).toBeNull();
  });
});

describe("agent credentials", () => {
  beforeEach(() => vi.stubEnv("NEXTAUTH_SECRET", SECRET));
  afterEach(() => vi.unstubAllEnvs());

  it("carry the token and, after a dot, the agent's seal key; a bare token has none", () => {
    const credential = agentCredential("brt_token", "edge-agent");
    expect(credential.startsWith("brt_token.")).toBe(true);
    const { token, sealKey } = splitCredential(credential);
    expect(token).toBe("brt_token");
    expect(sealKey?.equals(sealKeyOf("edge-agent")!)).toBe(true);
    expect(splitCredential("brt_token")).toEqual({ token: "brt_token", sealKey: null });
    expect(splitCredential("brt_token.short").sealKey).toBeNull();
  });

  it("are bare tokens where the dashboard has no secret to derive keys from", () => {
    expect(sealKeyOf("edge-agent", "")).toBeNull();
    vi.stubEnv("NEXTAUTH_SECRET", undefined);
    expect(sealKeyOf("edge-agent")).toBeNull();
    expect(agentCredential("brt_token", "edge-agent")).toBe("brt_token");
  });
});
