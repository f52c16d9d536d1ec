// The output formats -o takes, apart from the code that renders them (format.ts), so that the option's
// definition (its help and shell completion) loads nothing else.
export type OutputFormat = "json" | "jsonc" | "yaml" | "table" | "tsv" | "none";

export const OUTPUT_FORMATS: readonly OutputFormat[] = ["json", "jsonc", "yaml", "table", "tsv", "none"];
