// Pure verify logic: RBAC evaluation, diagnosis and exit codes, JUnit and annotations, token claims.
import {
  createEmptyPipeline,
  createHttpHeaders,
  createPipelineRequest,
  defaultRetryPolicy,
  type HttpClient,
  type PipelineResponse,
} from "@azure/core-rest-pipeline";
import { XMLParser } from "fast-xml-parser";
import { afterEach, describe, expect, it, vi } from "vitest";
import { isTransientTokenError, translateAzureError } from "../../src/azure/errors.js";
import { requestedWaitMs, retryNoticePolicy } from "../../src/azure/policies.js";
import { isStaleProbe, requiredDataSteps } from "../../src/azure/verify/data-plane.js";
import { diagnose, exitCodeOf, resultOf, withRequired } from "../../src/azure/verify/diagnosis.js";
import { evaluateAccess, neededPermissions, type RoleOfAssignment } from "../../src/azure/verify/rbac.js";
import { decodeClaims } from "../../src/azure/verify/token-identity.js";
import type { Step, VerifyReport } from "../../src/azure/verify/types.js";
import { githubError, renderJunit } from "../../src/output/junit.js";

const ACCOUNT = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct";
const BLOB = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs";

function role(
  roleName: string,
  scope: string,
  p: RoleOfAssignment["permissions"][number],
  condition?: string,
): RoleOfAssignment {
  return { assignment: { scope, id: `${scope}/ra/${roleName}`, condition }, roleName, permissions: [p] };
}

describe("evaluateAccess", () => {
  const needed = neededPermissions("readwrite");
  const [, readBlobs] = needed;
  if (!readBlobs) throw new Error("neededPermissions lost the blob read");

  it("needs the same things as the data-plane probe for each access level, under its step names", () => {
    for (const access of ["read", "write", "readwrite"] as const) {
      expect(neededPermissions(access).map((n) => n.step)).toEqual(
        requiredDataSteps(access).filter((n) => n !== "credential"),
      );
    }
    expect(neededPermissions("write").map((n) => n.permission.split("/").pop())).toEqual([
      "read",
      "write",
      "delete",
    ]);
    expect(needed).toHaveLength(5);
  });

  it("finds the inherited role that grants each permission", () => {
    const checks = evaluateAccess(
      [
        role("Storage Blob Data Contributor", "/subscriptions/s/resourceGroups/rg", {
          actions: ["Microsoft.Storage/storageAccounts/blobServices/containers/*"],
          dataActions: [`${BLOB}/*`],
        }),
      ],
      ACCOUNT,
      needed,
    );
    expect(checks.every((c) => c.granted)).toBe(true);
    expect(checks[1]?.grantedBy[0]).toMatchObject({
      roleName: "Storage Blob Data Contributor",
      scope: "/subscriptions/s/resourceGroups/rg",
    });
  });

  it("Contributor lists containers but grants no data action; notDataActions and other scopes count", () => {
    const checks = evaluateAccess(
      [
        role("Contributor", "/subscriptions/s", {
          actions: ["*"],
          notActions: ["Microsoft.Authorization/*/Write"],
        }),
        role("No deletes", ACCOUNT, { dataActions: [`${BLOB}/*`], notDataActions: [`${BLOB}/delete`] }),
        role("Other account", `${ACCOUNT}2`, { dataActions: [`${BLOB}/*`] }),
      ],
      ACCOUNT,
      needed,
    );
    expect(checks.map((c) => [c.step, c.granted])).toEqual([
      ["list-containers", true],
      ["list-blobs", true],
      ["write-probe", true],
      ["read-probe", true],
      ["delete-probe", false],
    ]);
  });

  it("reports a conditional assignment without counting it", () => {
    const [read] = evaluateAccess(
      [
        role(
          "Storage Blob Data Reader",
          ACCOUNT,
          { dataActions: [`${BLOB}/read`] },
          "@Resource[x] StringEquals 'y'",
        ),
      ],
      ACCOUNT,
      [readBlobs],
    );
    expect(read?.granted).toBe(false);
    expect(read?.conditional[0]?.condition).toMatch(/StringEquals/);
  });

  it("an assignment on one container covers only that container", () => {
    const checks = evaluateAccess(
      [
        role("Storage Blob Data Reader", `${ACCOUNT}/blobServices/default/containers/a`, {
          dataActions: [`${BLOB}/read`],
        }),
      ],
      `${ACCOUNT}/blobServices/default/containers/b`,
      [readBlobs],
    );
    expect(checks[0]?.granted).toBe(false);
  });
});

describe("diagnosis and exit codes", () => {
  const ctx = { account: "acct", access: "readwrite" };
  it.each([
    ["AuthorizationPermissionMismatch", 5, /no Azure RBAC data role/, true],
    ["AuthorizationFailure", 5, /firewall/, false],
    ["InvalidAuthenticationInfo", 4, /rejected the token/, false],
    ["ENOTFOUND", 1, /right storage account name/, false],
    ["NoManagedIdentity", 4, /no managed identity/, false],
    ["IdentityNotEnabled", 3, /no system-assigned managed identity enabled/, false],
    ["ProbeGone", 1, /deleting blobs was not tried/, false],
    ["SomethingElse", 1, /boom/, false],
  ] as const)("%s -> exit %d", (code, exitCode, cause, retryable) => {
    const d = diagnose(code, "boom", ctx);
    expect(d.exitCode).toBe(exitCode);
    expect(d.cause).toMatch(cause);
    expect(d.retryable).toBe(retryable);
  });

  it("names the role to assign for the access level", () => {
    expect(diagnose("AuthorizationPermissionMismatch", "", { account: "a", access: "read" }).fix).toMatch(
      /Storage Blob Data Reader/,
    );
    expect(diagnose("AuthorizationPermissionMismatch", "", ctx).fix).toMatch(/Storage Blob Data Contributor/);
  });

  it("exit 6 only when --wait ran out on something waiting can fix", () => {
    const report = { result: "fail", waitExpired: true } as VerifyReport;
    expect(exitCodeOf(report, diagnose("AuthorizationPermissionMismatch", "", ctx))).toBe(6);
    expect(exitCodeOf(report, diagnose("AuthorizationFailure", "", ctx))).toBe(5);
    expect(exitCodeOf({ ...report, result: "pass" }, null)).toBe(0);
  });
});

describe("CI output", () => {
  it("renders JUnit with escaped text, per-step cases, failures and skips", () => {
    const xml = renderJunit("miauth verify", "miauth.verify.data-plane", [
      { name: "credential", status: "pass", ms: 12, code: null, message: null },
      {
        name: "list <containers>",
        status: "fail",
        ms: 1500,
        code: "AuthorizationPermissionMismatch",
        message: `a & b "c"`,
        cause: "why",
        fix: "how",
      },
      { name: "write-probe", status: "skip", ms: 0, code: null, message: "not needed" },
    ]);
    const doc = new XMLParser({ ignoreAttributes: false }).parse(xml);
    const suite = doc.testsuites.testsuite;
    expect(suite["@_tests"]).toBe("3");
    expect(suite["@_failures"]).toBe("1");
    expect(suite["@_skipped"]).toBe("1");
    expect(suite.testcase[1]["@_name"]).toBe("list <containers>");
    expect(suite.testcase[1]["@_time"]).toBe("1.500");
    expect(suite.testcase[1].failure["@_message"]).toBe(`AuthorizationPermissionMismatch: a & b "c"`);
    expect(suite.testcase[1].failure["#text"]).toBe("cause: why\nfix: how");
    expect(suite.testcase[2].skipped["@_message"]).toBe("not needed");
  });

  it("escapes GitHub workflow command data and properties", () => {
    expect(githubError("verify: a,b", "50% done\nnext")).toBe(
      "::error title=verify%3A a%2Cb::50%25 done%0Anext",
    );
    expect(githubError("verify: x", "bad \u001b[2J reply")).toBe(
      "::error title=verify%3A x::bad \\x1b[2J reply",
    );
  });

  it("decodes token claims without verifying, and survives garbage", () => {
    const payload = Buffer.from(JSON.stringify({ oid: "o", tid: "t" })).toString("base64url");
    expect(decodeClaims(`x.${payload}.y`)).toEqual({ oid: "o", tid: "t" });
    expect(decodeClaims("not-a-jwt")).toEqual({});
    expect(decodeClaims("a.%%%.b")).toEqual({});
  });
});

describe("the pass rule: every required step ran and passed", () => {
  const ran = (name: string, status: Step["status"] = "pass"): Step => ({
    name,
    status,
    ms: 1,
    code: null,
    message: null,
  });

  it("names the steps each access level needs", () => {
    expect(requiredDataSteps("read")).toEqual(["credential", "list-containers", "list-blobs"]);
    expect(requiredDataSteps("write")).toEqual([
      "credential",
      "list-containers",
      "write-probe",
      "delete-probe",
    ]);
    expect(requiredDataSteps("readwrite")).toEqual([
      "credential",
      "list-containers",
      "list-blobs",
      "write-probe",
      "read-probe",
      "delete-probe",
    ]);
  });

  it("skipped required steps fail, with a failed step that says which did not run", () => {
    const required = requiredDataSteps("readwrite");
    const steps = [
      ran("credential"),
      ran("list-containers"),
      ...required.slice(2).map((n) => ran(n, "skip")),
    ];
    expect(resultOf(steps, required)).toBe("fail");
    const reported = withRequired(steps, required);
    expect(reported.at(-1)).toMatchObject({ name: "required-steps", status: "fail", code: "NotTested" });
    expect(reported.at(-1)?.message).toMatch(/list-blobs, write-probe, read-probe, delete-probe/);
    expect(diagnose("NotTested", "x", { account: "a", access: "readwrite" }).exitCode).toBe(1);
  });

  it("a missing required step fails too (control plane), a warning on another does not", () => {
    const required = ["identity", "list-containers", "list-blobs"];
    expect(resultOf([ran("identity"), ran("list-containers")], required)).toBe("fail");
    expect(
      resultOf([ran("identity"), ran("network", "warn"), ...required.slice(1).map((n) => ran(n))], required),
    ).toBe("pass");
    expect(resultOf([...required.map((n) => ran(n)), ran("extra", "fail")], required)).toBe("fail");
  });

  it("no container to test in is its own failure, with the fix", () => {
    const d = diagnose("NoContainer", "", { account: "acct", access: "readwrite" });
    expect(d.exitCode).toBe(1);
    expect(d.retryable).toBe(false);
    expect(d.fix).toMatch(/pass --container with a container the identity may use/);
    expect(d.fix).toMatch(/az storage container create --account-name acct --name data --auth-mode login/);
    const xml = renderJunit("miauth verify", "c", [
      { name: "container", status: "fail", ms: 0, code: "NoContainer", message: "nothing", fix: d.fix },
    ]);
    expect(xml).toMatch(/failures="1"/);
  });

  it("removes only exact probe names (prefix, UUID v4, .txt) older than ten minutes", () => {
    const now = Date.parse("2026-11-30T12:00:00Z");
    const name = "miauth-verify-probe-0b1f6471-1bf0-4dda-aec3-cb9272f09590.txt";
    const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000);
    expect(isStaleProbe(name, at(11), now)).toBe(true);
    expect(isStaleProbe(name, at(9), now)).toBe(false);
    expect(isStaleProbe(name, undefined, now)).toBe(false);
    for (const other of [
      "miauth-verify-probe-not-a-uuid.txt",
      `${name}.bak`,
      `x${name}`,
      "miauth-verify-probe-0b1f6471-1bf0-4dda-aec3-cb9272f09590",
      "miauth-verify-probe-0B1F6471-1bf0-4dda-aec3-cb9272f09590.txt",
    ]) {
      expect(isStaleProbe(other, at(60), now), other).toBe(false);
    }
  });
});

describe("retries: 429 without Retry-After, Retry-After capped, waits announced", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function replies(...statuses: [number, Record<string, string>?][]): HttpClient & { sent: number } {
    const client = {
      sent: 0,
      async sendRequest(request: ReturnType<typeof createPipelineRequest>): Promise<PipelineResponse> {
        const [status, headers] = statuses[Math.min(client.sent++, statuses.length - 1)] ?? [200];
        return { request, status, headers: createHttpHeaders(headers ?? {}) };
      },
    };
    return client;
  }

  function pipeline(withNotice: boolean, lines: string[], remainingMs = () => 600_000) {
    const p = createEmptyPipeline();
    p.addPolicy(defaultRetryPolicy({ maxRetries: 4, retryDelayInMs: 1 }), { phase: "Retry" });
    if (withNotice) {
      // Where the ARM clients put it (perRetry): after the retry policy, once per attempt.
      p.addPolicy(
        retryNoticePolicy({ service: "ARM", warn: (l) => lines.push(l), maxRetries: 4, remainingMs }),
        {
          afterPhase: "Retry",
        },
      );
    }
    return p;
  }
  const get = () =>
    createPipelineRequest({ url: "https://management.example/subscriptions/s", method: "GET" });

  it("the SDK alone does not retry a 429 without Retry-After; with the policy it backs off and says so", async () => {
    const bare = replies([429], [200]);
    expect((await pipeline(false, []).sendRequest(bare, get())).status).toBe(429);
    expect(bare.sent).toBe(1);

    vi.useFakeTimers();
    const lines: string[] = [];
    const client = replies([429], [429], [200]);
    const done = pipeline(true, lines).sendRequest(client, get());
    await vi.advanceTimersByTimeAsync(3_000);
    expect((await done).status).toBe(200);
    expect(client.sent).toBe(3);
    expect(lines).toEqual([
      "ARM answered 429 to GET /subscriptions/s (attempt 1); retrying in 1s (no Retry-After: backoff)",
      "ARM answered 429 to GET /subscriptions/s (attempt 2); retrying in 2s (no Retry-After: backoff)",
    ]);
  });

  it("caps a huge Retry-After at 60s per wait (the SDK would wait the full hour)", async () => {
    vi.useFakeTimers();
    const lines: string[] = [];
    const client = replies([429, { "retry-after": "3600" }], [200]);
    const done = pipeline(true, lines).sendRequest(client, get());
    await vi.advanceTimersByTimeAsync(59_000);
    expect(client.sent).toBe(1);
    await vi.advanceTimersByTimeAsync(1_500);
    expect((await done).status).toBe(200);
    expect(lines).toEqual([
      "ARM answered 429 to GET /subscriptions/s (attempt 1); retrying in 60s (Retry-After 3600s, capped)",
    ]);
  });

  it("gives up at once when the wait would pass the command's deadline", async () => {
    const client = replies([503, { "retry-after": "30" }], [200]);
    await expect(pipeline(true, [], () => 10_000).sendRequest(client, get())).rejects.toMatchObject({
      exitCode: 6,
      message: expect.stringMatching(/asks to wait 30s, past the command's deadline \(10s left\)/),
    });
    expect(client.sent).toBe(1);
  });

  it("reads retry-after-ms, seconds and HTTP dates", () => {
    const h = (o: Record<string, string>) => createHttpHeaders(o);
    const now = Date.parse("2026-11-30T12:00:00Z");
    expect(requestedWaitMs(h({ "retry-after-ms": "250", "retry-after": "9" }), now)).toBe(250);
    expect(requestedWaitMs(h({ "retry-after": "9" }), now)).toBe(9000);
    expect(requestedWaitMs(h({ "retry-after": "Mon, 30 Nov 2026 12:00:05 GMT" }), now)).toBe(5000);
    expect(requestedWaitMs(h({ "retry-after": "soon" }), now)).toBeUndefined();
    expect(requestedWaitMs(h({}), now)).toBeUndefined();
  });
});

describe("the token endpoint's failures", () => {
  // The shapes @azure/identity 4.13.1 throws: the chain's AggregateAuthenticationError around
  // ManagedIdentityCredential's CredentialUnavailableError, whose cause is MSAL's error.
  const chain = (cause: unknown, message = "ManagedIdentityCredential: Authentication failed.") => ({
    name: "AggregateAuthenticationError",
    message: "ChainedTokenCredential authentication failed.",
    errors: [Object.assign(new Error(message), { name: "CredentialUnavailableError", cause })],
  });

  it.each([
    ["a 503 (MSAL ServerError.status)", chain({ errorCode: "", status: 503 }), true],
    ["a reset (MSAL network_error)", chain({ errorCode: "network_error" }), true],
    ["a 429", chain({ status: 429 }), true],
    ["a 400 (no identity for this resource)", chain({ status: 400 }), false],
    ["not signed in", chain(undefined, "AzureCliCredential: Please run 'az login'"), false],
  ])("%s: transient %s", (_, err, transient) => {
    expect(isTransientTokenError(err)).toBe(transient);
    const e = translateAzureError(err) as { exitCode: number; message: string };
    if (transient) {
      expect(e.exitCode).toBe(1);
      expect(e.message).toMatch(/^the managed identity endpoint is unavailable/);
    } else {
      expect(e.exitCode).toBe(4);
      expect(e.message).toMatch(/^authentication failed/);
    }
  });

  it("an abort by itself is the SDK giving up on a request, not Ctrl-C", () => {
    const e = translateAzureError(
      Object.assign(new Error("The operation was aborted."), { name: "AbortError" }),
    );
    expect((e as { exitCode: number }).exitCode).toBe(1);
  });
});
