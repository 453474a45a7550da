// Lint: typescript-eslint's recommended rules, plus the import boundaries of STYLE.md §2:
// the pure folders never touch sockets, files, databases or the edge folders.
import tseslint from 'typescript-eslint';

const edgeModules = ['node:net', 'node:dgram', 'node:fs', 'node:fs/promises', 'node:tls', 'node:child_process',
  'better-sqlite3', 'mysql2', 'mysql2/promise'];
const edgeFolders = ['**/collect/**', '**/sources/**', '**/cli/**'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'reports/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/model/**', 'src/parse/**', 'src/rebuild/**', 'src/diff/**', 'src/attribute/**', 'src/leak/**', 'src/report/**', 'src/sim/**', 'src/verify/**', 'src/query/**'],
    // The simulator's edges: they copy its pure output onto sockets, files and databases.
    ignores: ['src/sim/send-syslog.ts', 'src/sim/write-gluff-*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: edgeModules, patterns: edgeFolders }],
    },
  },
);
