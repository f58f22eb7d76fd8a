/**
 * `npm run build` (second half): compiles the server and the shared protocol
 * with TypeScript (tsconfig.build.json) to dist/server and dist/protocol, so
 * that production runs them with plain `node dist/server/main.js`, no tsx.
 *
 * The sources import each other without file extensions (module resolution
 * "Bundler"); Node's ES module loader needs the exact file. A transformer adds
 * it while emitting: "./x" becomes "./x.js", a folder "./y" becomes
 * "./y/index.js". Plain JavaScript, because it runs before anything else exists.
 */
import { existsSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import ts from "typescript";

const ROOT = resolve(import.meta.dirname, "..");
const CONFIG = join(ROOT, "tsconfig.build.json");

/** The specifier Node needs for `spec` imported from `fromFile`, or `spec` when not ours. */
function withExtension(spec, fromFile) {
  if (!spec.startsWith("./") && !spec.startsWith("../")) return spec;
  if (/\.(m?js|json|node)$/.test(spec)) return spec;
  const base = resolve(dirname(fromFile), spec);
  if (existsSync(`${base}.ts`) || existsSync(`${base}.tsx`)) return `${spec}.js`;
  if (existsSync(join(base, "index.ts"))) return `${spec}/index.js`;
  throw new Error(`${fromFile}: cannot resolve import "${spec}"`);
}

/** Rewrites the module specifiers of static imports, re-exports and `import()`. */
const addExtensions = (context) => (sourceFile) => {
  const { factory } = context;
  const fix = (literal) =>
    factory.createStringLiteral(withExtension(literal.text, sourceFile.fileName));
  const visit = (node) => {
    if (
      ts.isImportDeclaration(node) &&
      ts.isStringLiteral(node.moduleSpecifier) &&
      !node.importClause?.isTypeOnly
    ) {
      return factory.updateImportDeclaration(
        node,
        node.modifiers,
        node.importClause,
        fix(node.moduleSpecifier),
        node.attributes,
      );
    }
    if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      return factory.updateExportDeclaration(
        node,
        node.modifiers,
        node.isTypeOnly,
        node.exportClause,
        fix(node.moduleSpecifier),
        node.attributes,
      );
    }
    if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      return factory.updateCallExpression(node, node.expression, node.typeArguments, [
        fix(node.arguments[0]),
        ...node.arguments.slice(1),
      ]);
    }
    return ts.visitEachChild(node, visit, context);
  };
  return ts.visitNode(sourceFile, visit);
};

const read = ts.readConfigFile(CONFIG, ts.sys.readFile);
if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, "\n"));
const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, ROOT, undefined, CONFIG);
// Nothing stale: a deleted source file must not live on as JavaScript.
for (const dir of ["server", "protocol"]) {
  rmSync(join(parsed.options.outDir ?? "dist", dir), { recursive: true, force: true });
}
const program = ts.createProgram(parsed.fileNames, parsed.options);
const emitted = program.emit(undefined, undefined, undefined, false, { before: [addExtensions] });
const diagnostics = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics];
if (diagnostics.length > 0) {
  const host = {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => ROOT,
    getNewLine: () => "\n",
  };
  process.stderr.write(ts.formatDiagnosticsWithColorAndContext(diagnostics, host));
  process.stderr.write("Building the server failed.\n");
  process.exit(1);
}
