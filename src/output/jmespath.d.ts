// jmespath ships no types (query.ts describes the part it uses); it is CommonJS: the default export is the module.
declare module "jmespath" {
  const jmespath: unknown;
  export default jmespath;
}
