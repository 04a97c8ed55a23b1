// ESLint flat config: typescript-eslint's recommended set, plus a few
// type-aware rules that catch the mistakes an async action can least afford
// (a promise nobody awaits, an async callback where a sync one is expected).
import js from '@eslint/js'
import { defineConfig, globalIgnores } from 'eslint/config'
import tseslint from 'typescript-eslint'

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

  // The outside-text boundary (src/outside-text.ts): the runner's log is written only by
  // src/action-log.ts, whose functions take Inert text; the summary only by src/summary.ts.
  {
    files: ['src/**/*.ts'],
    ignores: ['src/action-log.ts', 'src/summary.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-properties': ['error', ...restrictedCore(['summary'])]
    }
  },
  {
    files: ['src/summary.ts'],
    rules: { 'no-console': 'error', 'no-restricted-properties': ['error', ...restrictedCore([])] }
  }
)

/** core.* functions that print, each refused with the way to go instead. */
function restrictedCore(extra) {
  const printing = ['debug', 'info', 'notice', 'warning', 'error', 'setFailed', 'setSecret']
  return [...printing, ...extra].map(property => ({
    object: 'core',
    property,
    message:
      'Print through src/action-log.ts (log, fail) with a t`...` message: outside text must pass src/outside-text.ts.'
  }))
}
