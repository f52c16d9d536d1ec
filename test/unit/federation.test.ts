// GitHub subjects for each trigger, credential names, and Entra's refusal texts as miauth reads them.
import { describe, expect, it } from "vitest";
import { federationRefusal } from "../../src/azure/federated-refusal.js";
import {
  defaultCredentialName,
  githubSubject,
  parseGithubRepo,
  parseTrigger,
} from "../../src/azure/federation.js";

describe("GitHub subjects", () => {
  it.each([
    [{ branch: "main" }, "repo:octo-org/app:ref:refs/heads/main"],
    [{ branch: "refs/heads/release/1.x" }, "repo:octo-org/app:ref:refs/heads/release/1.x"],
    [{ tag: "v1.2.0" }, "repo:octo-org/app:ref:refs/tags/v1.2.0"],
    [{ environment: "Production" }, "repo:octo-org/app:environment:Production"],
    [{ pullRequest: true }, "repo:octo-org/app:pull_request"],
  ])("%j -> %s", (flags, subject) => {
    expect(githubSubject("octo-org/app", parseTrigger(flags))).toBe(subject);
  });

  it("names a credential from the repository and trigger, within Entra's 3-120 URL-friendly characters", () => {
    expect(defaultCredentialName("octo-org/app", { branch: "release/1.x" })).toBe(
      "github-octo-org-app-branch-release-1-x",
    );
    const long = defaultCredentialName(`o/${"r".repeat(100)}`, { environment: "e".repeat(50) });
    expect(long.length).toBeLessThanOrEqual(120);
    expect(long).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]{2,119}$/);
  });

  it.each(["octo-org", "octo-org/app/x", "-o/app", "o/..", "o/a b"])("refuses --github %s", (repo) => {
    expect(() => parseGithubRepo(repo)).toThrow(/invalid --github/);
  });
});

describe("Entra's refusal of a federated token", () => {
  it("reads AADSTS70021 (issuer, subject and audience named) from a chain's inner error", () => {
    const inner = new Error(
      "invalid_request: Error(s): 70021 - Timestamp: … - Description: AADSTS70021: No matching federated identity record found for presented assertion. Assertion Issuer: 'https://token.actions.githubusercontent.com'. Assertion Subject: 'repo:o/r:ref:refs/heads/dev'. Assertion Audience: 'api://AzureADTokenExchange'. https://docs.microsoft.com/en-us/azure/active-directory/develop/workload-identity-federation\r\nTrace ID: x\r\nCorrelation ID: y",
    );
    const chain = Object.assign(new Error("ChainedTokenCredential authentication failed."), {
      errors: [inner],
    });
    expect(federationRefusal(chain)).toEqual({
      code: "AADSTS70021",
      text: expect.stringMatching(
        /^AADSTS70021: No matching .*Assertion Audience: 'api:\/\/AzureADTokenExchange'\. https:\/\/docs\.microsoft\.com\/\S+$/,
      ),
      subject: "repo:o/r:ref:refs/heads/dev",
    });
  });

  it("reads the newer AADSTS700213 text, and ignores other AADSTS errors", () => {
    const r = federationRefusal(
      new Error(
        "AADSTS700213: No matching federated identity record found for presented assertion subject 'repo:o/r:environment:dev'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation Trace ID: 1 Correlation ID: 2 Timestamp: 2025-04-22 01:01:11Z",
      ),
    );
    expect(r).toMatchObject({ code: "AADSTS700213", subject: "repo:o/r:environment:dev" });
    expect(r?.text).not.toContain("Trace ID");
    expect(
      federationRefusal(new Error("AADSTS700016: Application with identifier 'x' was not found")),
    ).toBeUndefined();
  });
});
