import { describe, expect, it } from "vitest";
import { render } from "../../src/output/format.js";
import { applyQuery, validateQuery } from "../../src/output/query.js";

const result = {
  principalId: "11111111-1111-1111-1111-111111111111",
  roles: [
    { role: "Reader", scope: "/subscriptions/s" },
    { role: "Storage Blob Data Reader", scope: "/subscriptions/s/rg" },
  ],
};

describe("applyQuery", () => {
  it("selects a field; with tsv that is just the GUID", () => {
    const picked = applyQuery(result, "principalId");
    expect(picked).toBe(result.principalId);
    expect(render(picked, "tsv", { color: false })).toBe(`${result.principalId}\n`);
  });
  it("projects and reshapes", () => {
    expect(applyQuery(result, "roles[].role")).toEqual(["Reader", "Storage Blob Data Reader"]);
    expect(applyQuery(result, "roles[?role=='Reader'].{Scope:scope}")).toEqual([
      { Scope: "/subscriptions/s" },
    ]);
  });
  it("returns null for a missing field, which then prints nothing", () => {
    expect(applyQuery(result, "nope")).toBeNull();
    expect(render(applyQuery(result, "nope"), "json", { color: false })).toBe("");
  });
  it("reports a runtime type error on one line", () => {
    expect(() => applyQuery({ n: null }, "length(n)")).toThrowError(/^query "length\(n\)" failed: .*length/);
  });
});

describe("validateQuery", () => {
  it("accepts valid expressions without data", () => {
    expect(() => validateQuery("length(@)")).not.toThrow();
    expect(() => validateQuery("[].{a:a, b:b}")).not.toThrow();
  });
  it.each(["roles[", "", "a |", "{a}"])("rejects %j with a one-line message", (expr) => {
    let message = "";
    try {
      validateQuery(expr);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^invalid JMESPath query ".*": .+/);
    expect(message).not.toContain("\n");
  });
});
