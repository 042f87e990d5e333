// ESLint 9 (flat config): TypeScript and Vue single-file components, parsed
// by typescript-eslint and vue-eslint-parser. The rule the project cares
// about is `no-explicit-any`: the API's types come from the server's OpenAPI
// document (src/api/schema.d.ts, generated, not linted), so nothing needs
// `any`; use the schema's types, `unknown` and narrowing, or generics.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import pluginVue from 'eslint-plugin-vue'
import globals from 'globals'

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'e2e/**', 'src/api/schema.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/essential'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'], sourceType: 'module' } },
  },
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      // Views are named after their screen (Course, Quiz, Login), which the router loads by name.
      'vue/multi-word-component-names': 'off',
    },
  },
)
