// The emulator's stand-in for GitHub Actions' OIDC issuer: tokens with GitHub's issuer, subject and claims
// (docs.github.com/actions/reference/openid-connect-reference), signed with a key of the emulator's own.
// Its discovery document and keys are served on loopback under /github/.well-known/; the Entra endpoint
// (entra.ts) checks assertions with this key, as Entra checks GitHub's with the keys GitHub publishes.
import { randomBytes, randomUUID } from "node:crypto";
import { errors, exportJWK, generateKeyPair, type JWTPayload, jwtVerify, SignJWT } from "jose";

export const GITHUB_ISSUER = "https://token.actions.githubusercontent.com";
/** azure/login asks GitHub for a token with this audience (Entra's recommended value). */
export const EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";

export interface Workflow {
  repository: string;
  /** refs/heads/main, refs/tags/v1, refs/pull/1/merge */
  ref: string;
  environment?: string;
  pullRequest?: boolean;
}

/** The `sub` GitHub sets: environment first, then pull_request, then the ref ("Example subject claims"). */
export function subjectOf(w: Workflow): string {
  if (w.environment !== undefined) return `repo:${w.repository}:environment:${w.environment}`;
  if (w.pullRequest) return `repo:${w.repository}:pull_request`;
  return `repo:${w.repository}:ref:${w.ref}`;
}

export type AssertionCheck =
  | { ok: true; claims: JWTPayload & { iss: string; sub: string } }
  | { ok: false; reason: "invalid" | "expired" };

export interface GithubIssuer {
  /** `audience` defaults to GitHub's: the URL of the repository owner. */
  issue(w: Workflow, lifetimeSeconds: number, audience?: string): Promise<{ token: string; subject: string }>;
  /** A job that may request tokens (ACTIONS_ID_TOKEN_REQUEST_URL/TOKEN): its ID and bearer secret. */
  addJob(w: Workflow): { id: string; secret: string };
  job(id: string): { workflow: Workflow; secret: string } | undefined;
  /** Signature (this issuer's key), expiry and the presence of iss/sub; audience and trust are Entra's checks. */
  check(token: string): Promise<AssertionCheck>;
  jwks(): Promise<{ keys: Record<string, unknown>[] }>;
}

export async function createGithubIssuer(): Promise<GithubIssuer> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const kid = randomBytes(16).toString("hex").toUpperCase();
  const jobs = new Map<string, { workflow: Workflow; secret: string }>();
  return {
    addJob(workflow) {
      const id = randomBytes(8).toString("hex");
      const secret = randomBytes(24).toString("base64url");
      jobs.set(id, { workflow, secret });
      return { id, secret };
    },
    job: (id) => jobs.get(id),
    async issue(w, lifetimeSeconds, audience) {
      const now = Math.floor(Date.now() / 1000);
      const [owner = ""] = w.repository.split("/");
      const subject = subjectOf(w);
      const claims: Record<string, unknown> = {
        jti: randomUUID(),
        sub: subject,
        aud: audience ?? `https://github.com/${owner}`,
        ref: w.ref,
        ref_type: w.ref.startsWith("refs/tags/") ? "tag" : "branch",
        repository: w.repository,
        repository_owner: owner,
        event_name: w.pullRequest ? "pull_request" : "push",
        workflow: "miauth",
        runner_environment: "github-hosted",
        iss: GITHUB_ISSUER,
        nbf: now - 5,
        iat: now,
        exp: now + lifetimeSeconds,
      };
      if (w.environment !== undefined) claims.environment = w.environment;
      const token = await new SignJWT(claims)
        .setProtectedHeader({ alg: "RS256", typ: "JWT", kid, x5t: kid })
        .sign(privateKey);
      return { token, subject };
    },
    async check(token) {
      try {
        const { payload } = await jwtVerify(token, publicKey, { algorithms: ["RS256"] });
        if (typeof payload.iss !== "string" || typeof payload.sub !== "string")
          return { ok: false, reason: "invalid" };
        return { ok: true, claims: payload as JWTPayload & { iss: string; sub: string } };
      } catch (e) {
        return { ok: false, reason: e instanceof errors.JWTExpired ? "expired" : "invalid" };
      }
    },
    async jwks() {
      return { keys: [{ ...(await exportJWK(publicKey)), kid, use: "sig", alg: "RS256" }] };
    },
  };
}
