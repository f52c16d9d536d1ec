import { randomBytes } from "node:crypto";
import { errors, generateKeyPair, type JWTPayload, jwtVerify, SignJWT } from "jose";

export interface TokenSubject {
  principalId: string;
  clientId: string;
  /** xms_mirid: the resource whose identity this is, with ARM's lower-case "resourcegroups". */
  resourceId: string;
}

export interface IssuedToken {
  token: string;
  expiresOn: number;
  notBefore: number;
}

export type Verification =
  | { ok: true; claims: JWTPayload & { oid?: string; tid?: string } }
  | { ok: false; reason: "invalid" | "expired"; expiredAt?: number };

export interface JwtService {
  issue(subject: TokenSubject, audience: string, lifetimeSeconds: number): Promise<IssuedToken>;
  verify(token: string): Promise<Verification>;
}

export function miridOf(resourceId: string): string {
  return resourceId.replace(/\/resourcegroups\//i, "/resourcegroups/");
}

export async function createJwtService(tenantId: string): Promise<JwtService> {
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  const kid = randomBytes(16).toString("base64url");
  const issuer = `https://sts.windows.net/${tenantId}/`;
  return {
    async issue(subject, audience, lifetimeSeconds) {
      const now = Math.floor(Date.now() / 1000);
      const exp = now + lifetimeSeconds;
      const token = await new SignJWT({
        aud: audience,
        iss: issuer,
        iat: now,
        nbf: now,
        exp,
        aio: randomBytes(24).toString("base64url"),
        appid: subject.clientId,
        appidacr: "2",
        idp: issuer,
        idtyp: "app",
        oid: subject.principalId,
        rh: `0.${randomBytes(24).toString("base64url")}.`,
        sub: subject.principalId,
        tid: tenantId,
        uti: randomBytes(16).toString("base64url"),
        ver: "1.0",
        xms_mirid: miridOf(subject.resourceId),
      })
        .setProtectedHeader({ alg: "RS256", typ: "JWT", kid, x5t: kid })
        .sign(privateKey);
      return { token, expiresOn: exp, notBefore: now };
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, publicKey, { algorithms: ["RS256"], issuer });
        return { ok: true, claims: payload };
      } catch (e) {
        if (e instanceof errors.JWTExpired) return { ok: false, reason: "expired", expiredAt: e.payload.exp };
        return { ok: false, reason: "invalid" };
      }
    },
  };
}
