import { describe, expect, it } from "vitest";
import type { ReportStep, VerifyReport } from "../../src/azure/verify/types.js";
import { diagnoses, verifySummary, wrap } from "../../src/output/verify-summary.js";
import { fakeIo } from "./fakes.js";

const paint = fakeIo({}, { FORCE_COLOR: "0" }).io.paint;
const DENIED = "the identity has no Azure RBAC data role for this on 'acct'";
const FIX =
  'miauth assign-role --assignee 0b22230e-3789-46ef-bcbe-db614147b1e0 --role "Storage Blob Data Contributor" --scope /subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct';

function step(name: string, status: ReportStep["status"], cause?: string, fix?: string): ReportStep {
  return {
    name,
    status,
    ms: 3,
    code: status === "pass" || status === "skip" ? null : "AuthorizationPermissionMismatch",
    message: `${name} said something about Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read`,
    cause: cause ?? null,
    fix: fix ?? null,
  };
}

function report(steps: ReportStep[]): VerifyReport {
  return {
    mode: "control-plane",
    result: steps.some((s) => s.status === "fail") ? "fail" : "pass",
    access: "readwrite",
    account: "acct",
    endpoint: null,
    storageId: null,
    container: null,
    identity: { principalId: "p", objectId: "p" },
    steps,
    fix: steps.find((s) => s.fix)?.fix ?? null,
    attempts: 1,
    elapsedMs: 0,
    waitExpired: false,
  };
}

describe("verify's summary", () => {
  const denied = report([
    step("identity", "pass"),
    step("list-containers", "fail", DENIED, FIX),
    step("list-blobs", "fail", DENIED, FIX),
    step("delete-probe", "fail", DENIED, FIX),
  ]);

  it("prints a cause and fix shared by several steps once, after the steps", () => {
    const text = verifySummary(denied, paint);
    expect(text.split(DENIED)).toHaveLength(2);
    expect(text.split(FIX)).toHaveLength(2);
    expect(text).toMatch(/^ {2}FAIL {2}delete-probe {5}AuthorizationPermissionMismatch: /m);
    expect(text).toMatch(new RegExp(`delete-probe .*\\ncause: ${DENIED}\\nfix: {3}miauth`));
    expect(text.trimEnd().split("\n").at(-1)).toBe("result: FAIL");
  });

  it("labels each diagnosis with its steps when there are several", () => {
    const mixed = report([
      step("network", "warn", "the firewall", "open it"),
      step("list-containers", "fail", DENIED, FIX),
      step("list-blobs", "fail", DENIED, FIX),
    ]);
    expect(diagnoses(mixed.steps).map((d) => d.steps)).toEqual([
      ["network"],
      ["list-containers", "list-blobs"],
    ]);
    const text = verifySummary(mixed, paint);
    expect(text).toMatch(/^network: cause: the firewall\n {9}fix: {3}open it$/m);
    expect(text).toMatch(/^list-containers, list-blobs: cause: /m);
  });

  it("wraps to the terminal's columns, except the fix; without columns nothing is wrapped", () => {
    const narrow = verifySummary(denied, paint, { columns: 60 });
    const lines = narrow.trimEnd().split("\n");
    expect(lines.filter((l) => l.length > 60)).toEqual([`fix:   ${FIX}`]);
    // A step's text continues under itself, a long permission broken after a "/".
    expect(narrow).toMatch(
      /^ {2}FAIL {2}list-blobs {7}AuthorizationPermissionMismatch:\n {25}list-blobs said /m,
    );
    expect(narrow).toMatch(
      /^ {25}Microsoft\.Storage\/storageAccounts\/\n {25}blobServices\/containers\/blobs\/read$/m,
    );
    const wide = verifySummary(denied, paint);
    expect(wide.split("\n").filter((l) => l.startsWith("  "))).toHaveLength(4);
  });

  it("wrap keeps words whole and lines within the width", () => {
    expect(wrap("a bb ccc dddd", 6, "  ")).toEqual(["a bb", "  ccc", "  dddd"]);
    expect(wrap("short", 80, "  ")).toEqual(["short"]);
    expect(wrap("x aaaaaaaaaaaaaaaaaaaa", 10, " ")).toEqual(["x", " aaaaaaaaaaaaaaaaaaaa"]);
    expect(wrap("see /a/bb/ccc/dddd/eeeee", 10, "")).toEqual(["see", "/a/bb/ccc/", "dddd/eeeee"]);
  });
});
