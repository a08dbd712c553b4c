// Part of `npm run build`: writes dist/stage-helpers.json, which says for each stage the helpers it
// imports from src/stage/ and the lines of src/stage/ that declare each one, so that the
// walkthrough's `i` and a lesson's `.helper NAME TEXT` (src/cli/helpers.ts) show those lines of the
// very file that runs without reading any code to find them. TypeScript's own parser reads the
// sources; the lines themselves are read from the files when they are shown.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import ts from 'typescript';

/**
 * @typedef {object} Helper
 * @property {string} name the name the stage imports
 * @property {string} file its room path, such as `pages.ts`
 * @property {boolean} call whether it is a function declaration (shown as `name()`)
 * @property {[number, number][]} lines the first and last line (from 1) of each range that
 *   declares it: its comment and declaration, or for a name the file passes on from a package,
 *   the statements that import and export it
 */

/** The helpers each stage of `root`'s src/stage/stages/ imports, by room path of the stage. */
export function stageHelpers(root) {
  const room = join(root, 'src/stage');
  const parsed = new Map();
  const parse = (path) => {
    if (!parsed.has(path)) {
      const text = readFileSync(join(room, path), 'utf8');
      parsed.set(path, ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true));
    }
    return parsed.get(path);
  };
  const manifest = {};
  for (const name of readdirSync(join(room, 'stages')).sort()) {
    if (!name.endsWith('.ts')) continue;
    const stage = `stages/${name}`;
    manifest[stage] = importedHelpers(parse(stage)).flatMap(({ name, file }) => {
      const helper = declarationOf(parse(file), name);
      if (helper === 'type') return []; // a type does nothing at run time
      if (!helper) throw new Error(`src/stage/${file} declares no ${name}, which ${stage} imports`);
      return [{ name, file, ...helper }];
    });
  }
  return manifest;
}

/** Writes stageHelpers(root) to `out` as JSON, a helper a line. */
export function writeStageHelpers(root, out) {
  const stages = Object.entries(stageHelpers(root)).map(
    ([stage, helpers]) =>
      `  ${JSON.stringify(stage)}: [${helpers.map((h) => `\n    ${JSON.stringify(h)}`).join(',')}${helpers.length > 0 ? '\n  ' : ''}]`,
  );
  writeFileSync(out, `{\n${stages.join(',\n')}\n}\n`);
}

/** The names a stage imports as values from the room's own files, with the file's room path. */
function importedHelpers(stage) {
  const found = [];
  for (const statement of stage.statements) {
    if (!ts.isImportDeclaration(statement)) continue;
    const clause = statement.importClause;
    const spec = statement.moduleSpecifier.text;
    if (!clause || clause.isTypeOnly || !spec.startsWith('.')) continue;
    // the room's files import each other as the JavaScript the build emits
    if (!spec.endsWith('.js')) throw new Error(`${stage.fileName} imports '${spec}': name its .js`);
    if (clause.name || !ts.isNamedImports(clause.namedBindings)) {
      throw new Error(
        `${stage.fileName} imports '${spec}' as one object: import its helpers by name`,
      );
    }
    const file = posix.join(posix.dirname(stage.fileName), `${spec.slice(0, -'.js'.length)}.ts`);
    for (const element of clause.namedBindings.elements) {
      if (!element.isTypeOnly)
        found.push({ name: (element.propertyName ?? element.name).text, file });
    }
  }
  return found;
}

/**
 * How `source` declares the exported `name`: 'type' for a type, undefined if it does not.
 * @returns {Omit<Helper, 'name' | 'file'> | 'type' | undefined}
 */
function declarationOf(source, name) {
  const exported = (node) =>
    ts.canHaveModifiers(node) &&
    (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  for (const statement of source.statements) {
    if (!exported(statement)) continue;
    const names = ts.isVariableStatement(statement)
      ? statement.declarationList.declarations.map((d) => d.name)
      : [statement.name];
    if (!names.some((n) => n && ts.isIdentifier(n) && n.text === name)) continue;
    if (ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement)) return 'type';
    return {
      call: ts.isFunctionDeclaration(statement),
      lines: [linesOf(source, statement, withComment(source, statement))],
    };
  }
  const passedOn = passedOnFrom(source, name);
  return passedOn && { call: false, lines: passedOn };
}

/**
 * For a name the file exports from a list (`export { name }`), the lines of that export and of
 * the import that brings the name in; undefined if there is no such export.
 */
function passedOnFrom(source, name) {
  for (const statement of source.statements) {
    if (!ts.isExportDeclaration(statement) || statement.isTypeOnly) continue;
    if (!statement.exportClause || !ts.isNamedExports(statement.exportClause)) continue;
    const element = statement.exportClause.elements.find((e) => e.name.text === name);
    if (!element) continue;
    const local = (element.propertyName ?? element.name).text;
    const imported = source.statements.find(
      (s) =>
        ts.isImportDeclaration(s) && s.importClause && bindings(s.importClause).includes(local),
    );
    return [imported, statement]
      .filter(Boolean)
      .map((node) => linesOf(source, node, node.getStart(source)));
  }
  return undefined;
}

/** The local names an import clause binds. */
function bindings(clause) {
  const named = clause.namedBindings;
  return [
    clause.name?.text,
    ...(named && ts.isNamedImports(named) ? named.elements.map((e) => e.name.text) : []),
    named && ts.isNamespaceImport(named) ? named.name.text : undefined,
  ].filter(Boolean);
}

/** Where a statement begins with the comment right above it (no empty line between them). */
function withComment(source, statement) {
  let start = statement.getStart(source);
  const comments = ts.getLeadingCommentRanges(source.text, statement.pos) ?? [];
  for (const comment of comments.reverse()) {
    if (lineAt(source, start) - lineAt(source, comment.end) > 1) break;
    start = comment.pos;
  }
  return start;
}

function linesOf(source, node, start) {
  return [lineAt(source, start) + 1, lineAt(source, node.getEnd()) + 1];
}

function lineAt(source, position) {
  return source.getLineAndCharacterOfPosition(position).line;
}
