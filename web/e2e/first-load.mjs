// Measures what a new visitor's browser downloads for the first load of the
// student dashboard (login page, log in, dashboard): bytes over the wire and
// decoded, for the UI's files and for the API calls. For BENCHMARKS.md.
//
//   node e2e/first-load.mjs http://127.0.0.1:8080 student1@demo.school demo12345
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { chromium } from 'playwright-core'

const [base, email, password] = process.argv.slice(2)
if (!base || !email || !password) {
  console.error('usage: node e2e/first-load.mjs <base url> <e-mail> <password>')
  process.exit(2)
}
const profile = mkdtempSync(path.join(tmpdir(), 'lms-first-load-'))
const ctx = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  baseURL: base,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
})
try {
  const page = ctx.pages()[0] ?? (await ctx.newPage())
  const cdp = await ctx.newCDPSession(page)
  await cdp.send('Network.enable')
  const urls = new Map()
  const decoded = new Map()
  const totals = { ui: { n: 0, wire: 0, decoded: 0 }, api: { n: 0, wire: 0, decoded: 0 } }
  cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, e.request.url))
  cdp.on('Network.dataReceived', (e) => decoded.set(e.requestId, (decoded.get(e.requestId) ?? 0) + e.dataLength))
  cdp.on('Network.loadingFinished', (e) => {
    const url = urls.get(e.requestId) ?? ''
    const t = new URL(url).pathname.startsWith('/api/') ? totals.api : totals.ui
    t.n++
    t.wire += e.encodedDataLength
    t.decoded += decoded.get(e.requestId) ?? 0
  })
  await page.goto('/login')
  await page.fill('[data-test=login-email]', email)
  await page.fill('[data-test=login-password]', password)
  await page.click('[data-test=login-submit]')
  await page.waitForSelector('[data-test=current-user]')
  await page.waitForLoadState('networkidle')
  const kib = (n) => (n / 1024).toFixed(1)
  for (const [name, t] of Object.entries(totals)) console.log(`${name}: ${t.n} responses, ${kib(t.wire)} KiB over the wire, ${kib(t.decoded)} KiB decoded`)
  console.log(`total: ${kib(totals.ui.wire + totals.api.wire)} KiB over the wire`)
} finally {
  await ctx.close()
  rmSync(profile, { recursive: true, force: true })
}
