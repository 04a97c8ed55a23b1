// ESLint flat config: typescript-eslint's recommended set, plus a few
// type-aware rules that catch the mistakes an async action can least afford
// (a promise nobody awaits, an async callback where a sync one is expected).
import js from '@eslint/js'
import { defineConfig, globalIgnores } from 'eslint/config'
import jest from 'eslint-plugin-jest'
import tseslint from 'typescript-eslint'

/** The source folders, top down, with what each may import. */
const LAYERS = [
  { folder: 'action', below: ['operations', 'nexus', 'ndjson', 'net', 'shared'], packages: [] },
  {
    folder: 'operations',
    below: ['nexus', 'ndjson', 'net', 'shared'],
    packages: ['@actions/core', '@actions/github']
  },
  { folder: 'nexus', below: ['net', 'shared'], packages: ['@actions/core', '@actions/github'] },
  { folder: 'ndjson', below: ['shared'], packages: ['@actions/*'] },
  { folder: 'net', below: ['shared'], packages: ['@actions/core', '@actions/github'] },
  { folder: 'shared', below: [], packages: ['@actions/*'] }
]

/** The modules that import @actions/core: inputs, outputs, the log and the summary. */
const CORE_MODULES = [
  'src/action/inputs.ts',
  'src/action/outputs.ts',
  'src/action/log.ts',
  'src/action/summary/write.ts'
]

/** Named imports of @actions/core would slip past the rule on `core.info` and its kin. */
const WHOLE_CORE = {
  selector:
    "ImportDeclaration[source.value='@actions/core'] > :matches(ImportSpecifier, ImportDefaultSpecifier)",
  message: 'Import @actions/core whole (import * as core), so the lint rules see every use of it.'
}

/**
 * A regular expression built from text at run time: from an input or an API answer it could
 * backtrack for minutes on a long name, and metacharacters would change what it matches.
 * Match such text with code (see nameMatcher in src/operations/dataset-selection.ts); a string
 * given to match, matchAll or search is read as a regular expression too.
 */
const NO_REGEXP_FROM_TEXT = [
  ...['NewExpression', 'CallExpression'].map(node => ({
    selector: `${node}[callee.name='RegExp']`,
    message:
      'No RegExp built at run time in src/: text from inputs or the API could make it backtrack for minutes. Match with code (as nameMatcher does) or a regex literal that is linear.'
  })),
  {
    selector:
      'CallExpression[callee.property.name=/^(match|matchAll|search)$/]:not([arguments.0.regex])',
    message:
      'match, matchAll and search read a string as a regular expression: use a regex literal (regex.exec(text)), or includes/indexOf for plain text.'
  }
]

/** Writing to the process's own streams would bypass the log and its boundary. */
const STD_STREAMS = ['stdout', 'stderr'].map(property => ({
  object: 'process',
  property,
  message: 'Print through src/action/log.ts, never to the streams directly.'
}))

export default defineConfig(
  globalIgnores(['dist/', '.build/', 'node_modules/', 'coverage/', 'bench-data/']),

  js.configs.recommended,
  tseslint.configs.recommended,

  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: {
        // Node globals used by the sources, tests, scripts and these configs.
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        queueMicrotask: 'readonly'
      }
    },
    rules: {
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-var': 'error',
      'prefer-const': 'error',
      'no-console': 'off'
    }
  },

  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname
      }
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }
      ],
      '@typescript-eslint/no-explicit-any': 'warn'
    }
  },

  // The outside-text boundary (src/shared/outside-text.ts): the runner's log is written only by
  // src/action/log.ts, whose functions take Inert text; the summary only by
  // src/action/summary/write.ts. Nothing else in src/ writes to stdout or stderr, and @actions/core
  // is imported (whole, as `core`) only by the four action modules that read inputs and write
  // outputs, log and summary. No regular expression is built at run time anywhere in src/.
  {
    files: ['src/**/*.ts'],
    ignores: ['src/action/log.ts', 'src/action/summary/write.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-properties': ['error', ...restrictedCore(['summary']), ...STD_STREAMS],
      'no-restricted-syntax': ['error', WHOLE_CORE, ...NO_REGEXP_FROM_TEXT]
    }
  },
  {
    files: ['src/action/summary/write.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-properties': ['error', ...restrictedCore([]), ...STD_STREAMS],
      'no-restricted-syntax': ['error', WHOLE_CORE, ...NO_REGEXP_FROM_TEXT]
    }
  },
  {
    files: ['src/action/log.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-properties': ['error', ...STD_STREAMS],
      'no-restricted-syntax': ['error', WHOLE_CORE, ...NO_REGEXP_FROM_TEXT]
    }
  },

  // Jest's recommended rules for the tests: an expect() outside a test or in a branch of one, a
  // test that asserts nothing, a focused or skipped test left in, a misused matcher.
  { files: ['__tests__/**/*.ts'], ...jest.configs['flat/recommended'] },
  {
    files: ['__tests__/**/*.ts'],
    rules: {
      // posixTest and symlinkTest (support/platform.ts) and cancelTest (e2e/cancel.test.ts) define
      // a test as test() does; the tests' expect… helpers (expectSuccess, expectCancelled) assert.
      // cancelTest is left out of expect-expect: its body is often a function passed by name, in
      // which the rule cannot see the assertions.
      'jest/expect-expect': [
        'warn',
        {
          additionalTestBlockFunctions: ['posixTest', 'symlinkTest'],
          assertFunctionNames: ['expect', 'expect*']
        }
      ],
      'jest/no-standalone-expect': [
        'error',
        { additionalTestBlockFunctions: ['posixTest', 'symlinkTest', 'cancelTest'] }
      ]
    }
  },
  // A support module that defines tests (fault-matrix.ts) exports the function that defines them
  // for the test files to call: no test file imports another.
  { files: ['__tests__/support/**'], rules: { 'jest/no-export': 'off' } },

  // The tests' own helpers stay theirs: the emulator, scripts and the action never import them.
  {
    files: ['emulator/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/__tests__/**'], message: 'Nothing outside __tests__/ imports from it.' }
          ]
        }
      ]
    }
  },

  // Imports point one way: action -> operations -> nexus / ndjson -> net -> shared (CONTRIBUTING.md).
  ...LAYERS.map(({ folder, below, packages }) => ({
    files: [`src/${folder}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/__tests__/**',
                '../main.js',
                '../index.js',
                ...LAYERS.filter(l => l.folder !== folder && !below.includes(l.folder)).map(
                  l => `../${l.folder}/*`
                )
              ],
              message: `src/${folder}/ may import only from ${below.map(b => `src/${b}/`).join(', ') || 'itself'}: imports point one way (CONTRIBUTING.md).`
            },
            ...(packages.length > 0
              ? [
                  {
                    group: packages,
                    message: `src/${folder}/ takes a logger and an abort signal; only src/action/ talks to the runner.`
                  }
                ]
              : [])
          ]
        }
      ]
    }
  })),
  {
    files: ['src/action/**/*.ts'],
    ignores: CORE_MODULES,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@actions/core',
              message: `Only ${CORE_MODULES.join(', ')} import @actions/core.`
            }
          ],
          patterns: [{ group: ['**/__tests__/**', '../main.js', '../index.js'] }]
        }
      ]
    }
  }
)

/** core.* functions that print, each refused with the way to go instead. */
function restrictedCore(extra) {
  const printing = [
    'debug',
    'info',
    'notice',
    'warning',
    'error',
    'setFailed',
    'setSecret',
    'startGroup',
    'endGroup',
    'group'
  ]
  return [...printing, ...extra].map(property => ({
    object: 'core',
    property,
    message:
      'Print through src/action/log.ts (log, fail) with a t`...` message: outside text must pass src/shared/outside-text.ts.'
  }))
}
