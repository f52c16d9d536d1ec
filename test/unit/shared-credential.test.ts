// One token request per scope at a time, a token reused while it is fresh, and a prefetch whose
// outcome the first caller takes: what keeps each command at one token request.
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import { describe, expect, it } from "vitest";
import { sharedCredential } from "../../src/azure/credential.js";

const ARM = "https://management.azure.com/.default";

/** A credential whose requests the test answers one by one. */
function fake() {
  const calls: {
    scopes: string | string[];
    options?: GetTokenOptions;
    answer: (t: AccessToken | Error) => void;
  }[] = [];
  const inner: TokenCredential = {
    getToken: (scopes, options) =>
      new Promise((resolve, reject) => {
        calls.push({ scopes, options, answer: (t) => (t instanceof Error ? reject(t) : resolve(t)) });
      }),
  };
  return { inner, calls };
}

const token = (minutes: number): AccessToken => ({
  token: "t",
  expiresOnTimestamp: Date.now() + minutes * 60_000,
});

describe("sharedCredential", () => {
  it("two clients asking at once share one request; a fresh token is reused", async () => {
    const { inner, calls } = fake();
    const shared = sharedCredential(inner);
    const a = shared.getToken(ARM);
    const b = shared.getToken([ARM]);
    expect(calls).toHaveLength(1);
    calls[0]?.answer(token(60));
    expect(await a).toBe(await b);
    await shared.getToken(ARM);
    expect(calls).toHaveLength(1);
    // Another scope is another request.
    shared.getToken("https://storage.azure.com/.default");
    expect(calls).toHaveLength(2);
  });

  it("a token within 5 minutes of expiry is asked for again", async () => {
    const { inner, calls } = fake();
    const shared = sharedCredential(inner);
    const first = shared.getToken(ARM);
    calls[0]?.answer(token(4));
    await first;
    shared.getToken(ARM);
    expect(calls).toHaveLength(2);
  });

  it("the first getToken takes the prefetch's outcome, error included, without a second request", async () => {
    const { inner, calls } = fake();
    const shared = sharedCredential(inner);
    shared.prefetch(ARM);
    expect(calls).toHaveLength(1);
    calls[0]?.answer(new Error("endpoint down"));
    await new Promise((r) => setTimeout(r, 0));
    await expect(shared.getToken(ARM)).rejects.toThrow("endpoint down");
    expect(calls).toHaveLength(1);
    // The next call asks again.
    shared.getToken(ARM);
    expect(calls).toHaveLength(2);
  });

  it("a claims challenge or another tenant always gets a request of its own", async () => {
    const { inner, calls } = fake();
    const shared = sharedCredential(inner);
    const first = shared.getToken(ARM);
    calls[0]?.answer(token(60));
    await first;
    shared.getToken(ARM, { claims: "e30=" });
    shared.getToken(ARM, { tenantId: "other" });
    expect(calls).toHaveLength(3);
  });
});
