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

describe("validateQuery checks function calls against jmespath's function table", () => {
  it.each([
    "length(@)",
    "merge(@, `{}`)",
    "not_null(a, b, c)",
    "sort_by(@, &name)",
    "sort_by([].{roleName:roleName, description:description}, &roleName)",
    "[?contains(name, 'a')].id | [0]",
    "join(', ', roles[].role)",
    "abs(to_number(n))",
    "map(&role, roles)",
    "{x: keys(@)}",
  ])("accepts %j", (expr) => {
    expect(() => validateQuery(expr)).not.toThrow();
  });
  it.each([
    ["nosuchfn(@)", /unknown function nosuchfn\(\)/],
    ["roles[?nosuchfn(role)]", /unknown function nosuchfn\(\)/],
    ["{a: to_strin(@)}", /unknown function to_strin\(\)/],
    ["constructor(@)", /unknown function constructor\(\)/],
    ["__proto__(@)", /unknown function __proto__\(\)/],
    ["toString(@)", /unknown function toString\(\)/],
    ["length(@, @)", /length\(\) takes 1 argument, not 2/],
    ["sort_by(@)", /sort_by\(\) takes 2 arguments, not 1/],
    ["merge()", /merge\(\) takes at least 1 argument, not 0/],
    ["abs('x')", /abs\(\) expected argument 1 to be type number/],
    ["length(`1`)", /length\(\) expected argument 1 to be type string,array,object/],
    ["sort_by(@, name)", /sort_by\(\) expected argument 2 to be type expression/],
    ["map(roles, &role)", /map\(\) expected argument 1 to be type expression/],
  ])("rejects %j before any data exists", (expr, message) => {
    expect(() => validateQuery(expr)).toThrow(message);
    expect(() => validateQuery(expr)).toThrow(/^invalid JMESPath query "/);
  });
});
