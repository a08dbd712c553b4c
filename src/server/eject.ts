import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { packageRoot, stageSourceDir } from '../paths.js';

// Written by `npm run build` (scripts/javascript.js): the stages and the files they import, as
// JavaScript with the same lines and comments, without the types.
const javascriptDir = join(packageRoot, 'dist/javascript');

// A PowerShell line that sets SESSION_SECRET to 32 bytes from the system's cryptographic random
// generator, in hex. RandomNumberGenerator::Create() works in Windows PowerShell 5.1 (.NET
// Framework) as in PowerShell 7; the static GetBytes(32) needs .NET 6, and Get-Random is not
// cryptographically secure.
const powershellSecret =
  "$b = [byte[]]::new(32); [Security.Cryptography.RandomNumberGenerator]::Create().GetBytes($b); $env:SESSION_SECRET = -join ($b | % { $_.ToString('x2') })";

/** The files of an ejected stage: path inside the folder → contents. */
export type EjectedFiles = Map<string, string>;

/**
 * Stage N as a standalone project: server.js is the stage's own code, without types, plus the
 * few lines the tutor wraps around every stage (PORT, SESSION_SECRET, the 404 and error pages,
 * and `--store` for a stage that says it chooses its store); the helpers it imports go to lib/,
 * laid out as in src/, and package.json starts it with `node --watch`. Every package a file
 * imports, statically or with `import()`, becomes a dependency.
 */
export function ejectedStage(stage: { number: number; name: string }): EjectedFiles {
  const { number } = stage;
  if (!existsSync(javascriptDir)) {
    throw new Error(`${javascriptDir} is missing: run npm run build`);
  }
  const stageFile = join(javascriptDir, 'stage/stages', `${stage.name}.js`);
  // a stage whose comments say `--store` chooses its store, and so does its ejected server.js
  const choosesStore = readFileSync(stageFile, 'utf8').includes('--store');
  const files: EjectedFiles = new Map();
  const packages = new Set<string>(['express']);
  // original file (under dist/javascript) → where it goes in the ejected folder
  const placed = new Map<string, string>();
  const place = (file: string, target: string) => {
    if (placed.has(file)) return;
    placed.set(file, target);
    let code = readFileSync(file, 'utf8');
    if (target === 'server.js') code = withStart(code, number, choosesStore);
    files.set(
      target,
      code.replace(
        /((?:\bfrom\s+|\bimport\()')([^']+)(')/g,
        (_all, open: string, spec: string, close: string) => {
          if (!spec.startsWith('.')) {
            if (!spec.startsWith('node:')) packages.add(packageName(spec));
            return `${open}${spec}${close}`;
          }
          const imported = resolve(dirname(file), spec);
          // helpers keep their places relative to each other, under lib/
          place(imported, join('lib', relative(javascriptDir, imported)));
          const to = relative(dirname(join('/', target)), join('/', placed.get(imported) ?? ''));
          return `${open}${to.startsWith('.') ? to : `./${to}`}${close}`;
        },
      ),
    );
  };
  place(stageFile, 'server.js');
  // form.html sits beside server.js, so the helpers that read it look there
  files.set('lib/paths.js', pathsModule);
  files.set('form.html', readFileSync(join(stageSourceDir, 'form.html'), 'utf8'));
  files.set('package.json', packageJson(stage.name, number, packages));
  files.set('README.md', readme(number, choosesStore));
  return files;
}

/** Writes the files into `dir`, refusing a folder that already holds something unless `force`. */
export function writeEjected(files: EjectedFiles, dir: string, force: boolean): void {
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new UserError(
      `${dir} is a file, not a folder: pick a folder for the project, such as ./my-stage.`,
    );
  }
  if (existsSync(dir) && readdirSync(dir).length > 0 && !force) {
    throw new UserError(
      `${dir} is not empty, and eject never overwrites your work: pick another folder, or add --force to overwrite the files eject writes there.`,
    );
  }
  for (const [path, contents] of files) {
    try {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), contents);
    } catch (err) {
      throw new UserError(
        `Cannot write ${join(dir, path)} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): pick a folder you can write to.`,
      );
    }
  }
}

const pathsModule = `import { fileURLToPath } from 'node:url';

// form.html sits in the project folder, beside server.js, one folder up from this file.
export const stageSourceDir = fileURLToPath(new URL('../', import.meta.url));
`;

/** The stage's code, then what the tutor does around it: the same as `session-tutor serve N`. */
function withStart(stageCode: string, number: number, choosesStore: boolean): string {
  const lines = stageCode.trimEnd().split('\n');
  const afterImports =
    lines.length - [...lines].reverse().findIndex((l) => l.startsWith('import '));
  lines.splice(
    afterImports,
    0,
    ...(choosesStore
      ? [
          "import { UserError } from '../../errors.js';",
          "import { openStore, parseStore } from '../stores/choose.js';",
        ]
      : []),
    "import { notFound, showProblem } from '../error-pages.js';",
  );
  return `${lines.join('\n')}

// Below: what session-tutor does around every stage. The port and the secret come from the
// environment, and requests no route answers get a page that says what went wrong.
// several secrets, newest first and separated by commas, let old cookies verify while new ones use the first
const secrets = (process.env.SESSION_SECRET ?? '').split(',').map((s) => s.trim()).filter(Boolean);
if (secrets.length === 0) {
  console.error(
    'SESSION_SECRET is not set: the session cookie cannot be signed without a secret.\\n' +
      'Set it to a long random string, then run npm start again:\\n' +
      '  bash:       export SESSION_SECRET="$(openssl rand -hex 32)"\\n' +
      "  PowerShell: ${powershellSecret}",
  );
  process.exit(1);
}
const port = Number(process.env.PORT || 3000);
${choosesStore ? storeChoice : ''}
const server = express();
server.use(createApp({ secret: secrets.length === 1 ? secrets[0] : secrets${choosesStore ? ', store: sessions.store' : ''} }));
server.use(notFound);
server.use(showProblem);
server.listen(port, (err) => {
  if (err) {
    console.error(\`Cannot listen on port \${port}: \${err.message}. Try another: PORT=3001 npm start\`);
    process.exit(1);
  }
  console.log(\`Stage ${number} is running at http://localhost:\${port}\`);
});
`;
}

// where sessions live, chosen as session-tutor's own --store does
const storeChoice = `
// Where sessions live, as with session-tutor's --store: memory (the default), sqlite:FILE
// (Node 22.13 or newer) or redis://HOST:PORT, from --store or the STORE variable.
const storeAt = process.argv.indexOf('--store');
let sessions;
try {
  sessions = await openStore(
    parseStore(storeAt === -1 ? (process.env.STORE ?? 'memory') : (process.argv[storeAt + 1] ?? '')),
  );
} catch (err) {
  if (!(err instanceof UserError)) throw err;
  console.error(err.message);
  process.exit(1);
}
`;

function packageName(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function packageJson(name: string, number: number, packages: Set<string>): string {
  // the tutor bundles what it runs, so its own package.json lists these as devDependencies
  const own = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as {
    devDependencies: Record<string, string>;
    engines: Record<string, string>;
  };
  const dependencies = Object.fromEntries(
    [...packages].sort().map((pkg) => {
      const version = own.devDependencies[pkg];
      if (!version)
        throw new Error(`stage ${number} imports ${pkg}, which session-tutor does not depend on`);
      return [pkg, version];
    }),
  );
  return `${JSON.stringify(
    {
      name: `session-tutor-stage-${name}`,
      version: '1.0.0',
      private: true,
      description: `Stage ${number} of session-tutor, ejected to edit and run on your own.`,
      type: 'module',
      scripts: { start: 'node --watch server.js' },
      engines: own.engines,
      dependencies,
    },
    null,
    2,
  )}\n`;
}

function readme(number: number, choosesStore: boolean): string {
  return `# session-tutor, stage ${number}

A small Express server that remembers a visitor with a session, ejected from session-tutor
so you can change it. \`server.js\` is the stage's code as the tutor runs it; \`lib/\` holds the
small helpers it imports; \`form.html\` is the body of the page with the name form.

## Run it

\`\`\`sh
npm install
export SESSION_SECRET="$(openssl rand -hex 32)"   # the secret that signs the session cookie
npm start                                         # PORT=3001 npm start for another port
\`\`\`

In PowerShell, set the secret with:

\`\`\`powershell
${powershellSecret}
\`\`\`

\`npm start\` runs \`node --watch server.js\`: save a file and the server restarts.
${choosesStore ? storeReadme : ''}
## Check it

In another terminal:

\`\`\`sh
npx session-tutor check ${number}                # or --url http://localhost:3001
npx session-tutor check ${number} --watch        # again on every save
\`\`\`

Each expectation prints what was sent, what came back, and a hint when it fails. Break something
on purpose, watch which expectation fails and why, then fix it.
`;
}

const storeReadme = `
## Where sessions live

Sessions live in the server's memory unless you choose another store, as with session-tutor's
\`--store\`: pass \`--store\` after \`npm start --\`, or set the \`STORE\` variable.

\`\`\`sh
npm start                                      # memory: a restart forgets every session
npm start -- --store sqlite:sessions.sqlite    # a SQLite file (Node 22.13 or newer)
STORE=redis://127.0.0.1:6379 npm start         # Redis, with a redis-server running there
\`\`\`

Tell it your name, restart the server (Ctrl-C, then the same command) and reload: which store
remembers you?
`;
