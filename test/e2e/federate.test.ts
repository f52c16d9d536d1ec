// miauth identity federate: GitHub Actions workload identity federation on a user-assigned identity,
// through the built CLI against the emulator. Re-runs write nothing; --list and --remove complete it.
import { describe, expect, it } from "vitest";
import { json, runCli } from "../helpers/cli.js";
import { RG, useEmulator } from "../helpers/emulator.js";

const emu = useEmulator({ blob: false });
const UAMI = "msdocs-uami";
const CLIENT_ID = "e1d3c5b7-9a2f-4e6d-8c0b-3f5a7d9e1c2b";

interface Federated {
  AZURE_CLIENT_ID: string;
  AZURE_TENANT_ID: string;
  AZURE_SUBSCRIPTION_ID: string;
  credential: { name: string; issuer: string; subject: string; audiences: string[] };
  result: string;
}

const federate = (...args: string[]) =>
  runCli(["identity", "federate", UAMI, "-g", RG, ...args], { env: emu.current.env });

describe("miauth identity federate", () => {
  it("adds the credential GitHub's subject for a branch needs, prints the three values and a workflow; a re-run writes nothing", async () => {
    const r = await federate("--github", "octo-org/app", "--branch", "main");
    expect(r.code, r.stderr).toBe(0);
    expect(json<Federated>(r)).toEqual({
      AZURE_CLIENT_ID: CLIENT_ID,
      AZURE_TENANT_ID: emu.current.handle.tenantId,
      AZURE_SUBSCRIPTION_ID: emu.current.sub,
      credential: {
        name: "github-octo-org-app-branch-main",
        issuer: "https://token.actions.githubusercontent.com",
        subject: "repo:octo-org/app:ref:refs/heads/main",
        audiences: ["api://AzureADTokenExchange"],
      },
      result: "created",
    });
    expect(r.stderr).toContain("id-token: write");
    expect(r.stderr).toContain("uses: azure/login@v2");
    expect(r.stderr).toContain(`client-id: ${CLIENT_ID}`);
    expect(r.stderr).toMatch(/npx miauth verify .*--junit/);
    const writes = await emu.current.writes();
    expect(writes.map((w) => `${w.method} ${w.path}`)).toEqual([
      expect.stringMatching(
        /^PUT \/subscriptions\/[^/]+\/resourceGroups\/msdocs-sdk-auth-example\/providers\/Microsoft\.ManagedIdentity\/userAssignedIdentities\/msdocs-uami\/federatedIdentityCredentials\/github-octo-org-app-branch-main$/,
      ),
    ]);

    const again = await federate("--github", "octo-org/app", "--branch", "main");
    expect(again.code, again.stderr).toBe(0);
    expect(json<Federated>(again).result).toBe("unchanged");
    expect(await emu.current.writes()).toHaveLength(1);
  });

  it("each trigger has GitHub's subject", async () => {
    const cases: [string[], string][] = [
      [["--environment", "production"], "repo:octo-org/app:environment:production"],
      [["--pull-request"], "repo:octo-org/app:pull_request"],
      [["--tag", "v1.2.0"], "repo:octo-org/app:ref:refs/tags/v1.2.0"],
    ];
    for (const [flags, subject] of cases) {
      const r = await federate("--github", "octo-org/app", ...flags);
      expect(r.code, r.stderr).toBe(0);
      expect(json<Federated>(r).credential.subject).toBe(subject);
    }
  });

  it("a credential of the same name that trusts another subject is an error naming it, and nothing is written", async () => {
    const first = await federate(
      "--github",
      "octo-org/app",
      "--branch",
      "main",
      "--credential-name",
      "ci-main",
    );
    expect(first.code, first.stderr).toBe(0);
    const r = await federate(
      "--github",
      "octo-org/app",
      "--branch",
      "release",
      "--credential-name",
      "ci-main",
    );
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("'ci-main'");
    expect(r.stderr).toContain("repo:octo-org/app:ref:refs/heads/main");
    expect(await emu.current.writes()).toHaveLength(1);
  });

  it("--list shows the credentials; --remove deletes one, and a second --remove writes nothing", async () => {
    await federate("--github", "octo-org/app", "--branch", "main");
    await federate("--github", "octo-org/app", "--pull-request");
    const list = await federate("--list");
    expect(list.code, list.stderr).toBe(0);
    expect(json<{ name: string; subject: string }[]>(list).map((c) => c.subject)).toEqual([
      "repo:octo-org/app:ref:refs/heads/main",
      "repo:octo-org/app:pull_request",
    ]);
    const removed = await federate("--remove", "github-octo-org-app-pull-request");
    expect(removed.code, removed.stderr).toBe(0);
    expect(json(removed)).toEqual({ name: "github-octo-org-app-pull-request", result: "deleted" });
    const writes = (await emu.current.writes()).length;
    const again = await federate("--remove", "github-octo-org-app-pull-request");
    expect(again.code, again.stderr).toBe(0);
    expect(json(again)).toEqual({ name: "github-octo-org-app-pull-request", result: "absent" });
    expect(await emu.current.writes()).toHaveLength(writes);
    const after = await federate("--list");
    expect(json<unknown[]>(after)).toHaveLength(1);
  });

  it("an identity that does not exist is not found (3)", async () => {
    const r = await runCli(
      ["identity", "federate", "nosuch-uami", "-g", RG, "--github", "octo-org/app", "--branch", "main"],
      { env: emu.current.env },
    );
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr.split("\n")[0]).toMatch(/nosuch-uami/);
    expect(await emu.current.writes()).toEqual([]);
  });

  it("bad input is one line and exit 2 before any request", async () => {
    const bad: [string[], RegExp][] = [
      [["--github", "octo-org/app"], /needs one of --branch/],
      [["--github", "octo-org/app", "--branch", "main", "--tag", "v1"], /conflicting --branch and --tag/],
      [["--github", "not-a-repo", "--branch", "main"], /invalid --github 'not-a-repo'/],
      [["--github", "octo-org/app", "--branch", "a:b"], /invalid --branch 'a:b'/],
      [["--list", "--github", "octo-org/app"], /--list does not take --github/],
      [["--branch", "main"], /--branch needs --github/],
      [["--remove", "x"], /invalid --remove 'x'/],
    ];
    for (const [args, message] of bad) {
      const r = await federate(...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr.trim().split("\n")[0]).toMatch(message);
    }
    expect(await emu.current.requests()).toEqual([]);
  });
});
