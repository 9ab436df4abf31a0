// Types of scripts/purity.mjs, for the tests that import it.
export declare const FORBIDDEN: ReadonlySet<string>;
export declare const PURE_DIRS: readonly string[];
export declare function runtimeImports(file: string, text: string): string[];
export declare function purityProblems(root: string, pureDirs?: readonly string[]): string[];
