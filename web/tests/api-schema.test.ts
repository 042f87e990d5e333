// @vitest-environment node
// The UI's API types (src/api/schema.d.ts) are generated from the server's
// OpenAPI document (src/api/openapi.json, itself checked against the server
// by lms-http's tests) with `npm run gen:api`. This regenerates them in
// memory, with the options of that script, and fails when the file is stale.
import { describe, it, expect } from 'vitest'
import { readFileSync } from 'node:fs'
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript'

const doc = new URL('../src/api/openapi.json', import.meta.url)
const generated = new URL('../src/api/schema.d.ts', import.meta.url)

/** What `openapi-typescript src/api/openapi.json -o src/api/schema.d.ts` writes (no other options). */
async function generate(): Promise<string> {
  try {
    return COMMENT_HEADER + astToString(await openapiTS(doc, { silent: true }))
  } catch (e) {
    throw new Error(`src/api/openapi.json cannot be turned into types (fix the server's document): ${e instanceof Error ? e.message : String(e)}`)
  }
}

describe('the generated API types', () => {
  it('src/api/schema.d.ts is current with src/api/openapi.json', async () => {
    const fresh = await generate()
    const stale = readFileSync(generated, 'utf8') !== fresh
    expect(
      stale,
      'src/api/schema.d.ts is stale against src/api/openapi.json: run `bash scripts/gen-api-types.sh` from the repository root ' +
        '(or `npm run gen:api` in web/ when only openapi.json changed)',
    ).toBe(false)
  }, 60_000)

  it('knows every operation of the document', () => {
    const openapi = JSON.parse(readFileSync(doc, 'utf8')) as { paths: Record<string, Record<string, { operationId?: string }>> }
    const ids = Object.values(openapi.paths).flatMap((item) => Object.values(item).flatMap((op) => (op.operationId ? [op.operationId] : [])))
    const types = readFileSync(generated, 'utf8')
    expect(ids.length).toBeGreaterThan(100)
    expect(ids.filter((id) => !types.includes(`    ${id}: {`))).toEqual([])
  })
})
