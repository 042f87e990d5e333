// End-to-end journeys of the web UI in headless Chromium (playwright-core).
//
// Starts the server named by LMS_SERVER_CMD (placeholders {addr}, {port},
// {web_dist}, {smtp_port}; default: the lms-http dev_server example over a
// fresh SQLite) from the repository root, waits for /healthz, then runs the
// teacher and student journeys. With {smtp_port} in the command, a small
// SMTP sink (e2e/smtp.mjs) starts first on that port and the journeys read
// the server's e-mails from it (invitation and password-reset links).
// Prints each step, then "N passed, N failed".
//
//   npm run e2e                      # build first with `npm run build`
//   LMS_SERVER_CMD='...' npm run e2e
//   LMS_E2E_URL=http://127.0.0.1:8099 npm run e2e   # use a running server
import { spawn } from 'node:child_process'
import { mkdtempSync, mkdirSync, existsSync, writeFileSync, rmSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import net from 'node:net'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { journeys } from './journeys.mjs'
import { startSmtpSink } from './smtp.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const webDir = path.resolve(here, '..')
const repoRoot = path.resolve(webDir, '..')
const shots = path.join(here, 'screenshots')
mkdirSync(shots, { recursive: true })
for (const f of readdirSync(shots)) if (f.startsWith('fail-')) rmSync(path.join(shots, f))

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
    s.on('error', reject)
  })
}

async function waitHealthy(base, proc, timeoutMs) {
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    if (proc && proc.exitCode !== null) throw new Error(`server exited with code ${proc.exitCode}`)
    try {
      const r = await fetch(`${base}/healthz`)
      if (r.ok) return
    } catch {}
    await new Promise((r) => setTimeout(r, 500))
  }
  throw new Error(`server not healthy at ${base}/healthz after ${timeoutMs / 1000}s`)
}

async function main() {
  // The server's own UI is tested (lms-server embeds it); only the
  // dev_server example is pointed at web/dist.
  const tmplRaw = process.env.LMS_SERVER_CMD || ''
  if ((!tmplRaw || tmplRaw.includes('{web_dist}')) && !process.env.LMS_E2E_URL && !existsSync(path.join(webDir, 'dist', 'index.html'))) {
    console.error('web/dist is missing: run `npm run build` first')
    process.exit(2)
  }
  let base = process.env.LMS_E2E_URL
  let proc = null
  // The mailbox of the server's e-mails (null: the e-mail steps are skipped).
  let mail = null
  if (!base) {
    const port = await freePort()
    const addr = `127.0.0.1:${port}`
    const tmpl = process.env.LMS_SERVER_CMD || 'cargo run -q -p lms-http --example dev_server -- {addr} {web_dist}'
    if (tmpl.includes('{smtp_port}')) {
      // Before the server, so its first delivery finds the sink listening.
      mail = await startSmtpSink({ log: (m) => process.env.LMS_E2E_MAIL_LOG && console.log(`# ${m}`) })
      console.log(`# e-mail sink: 127.0.0.1:${mail.port}`)
    }
    const cmd = tmpl
      .replaceAll('{addr}', addr)
      .replaceAll('{port}', String(port))
      .replaceAll('{web_dist}', path.join(webDir, 'dist'))
      .replaceAll('{smtp_port}', String(mail?.port ?? ''))
    console.log(`# server: ${cmd}`)
    proc = spawn('bash', ['-c', `exec ${cmd}`], {
      cwd: repoRoot,
      env: { ...process.env, LMS_ADDR: addr, LMS_PORT: String(port) },
      stdio: ['ignore', 'inherit', 'inherit'],
      detached: true,
    })
    base = `http://${addr}`
    await waitHealthy(base, proc, Number(process.env.LMS_E2E_BOOT_TIMEOUT || 1200) * 1000)
  }
  console.log(`# server up at ${base}`)
  const { chromium } = await import('playwright-core')
  const profile = mkdtempSync(path.join(tmpdir(), 'lms-e2e-'))
  const results = []
  let code = 1
  // A browser start can fail on a busy machine: try it three times.
  const launch = async (name) => {
    for (let i = 1; ; i++) {
      try {
        return await launchOnce(name + (i > 1 ? `-${i}` : ''))
      } catch (e) {
        if (i >= 3) throw e
        console.log(`# chromium start failed (${String(e.message).split('\n')[0]}), retrying`)
        await new Promise((r) => setTimeout(r, 2000))
      }
    }
  }
  const launchOnce = (name) =>
    chromium.launchPersistentContext(path.join(profile, name), {
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      viewport: { width: 1280, height: 860 },
      baseURL: base,
      locale: 'ru-RU',
      timezoneId: 'Europe/Moscow',
    })
  try {
    if (process.env.LMS_SCREENSHOTS_DIR) {
      // `bash scripts/screenshots.sh`: the docs' screenshots instead of the journeys.
      const { screenshots } = await import('./screenshots.mjs')
      await screenshots({ launch, outDir: path.resolve(repoRoot, process.env.LMS_SCREENSHOTS_DIR), results })
    } else {
      await journeys({ base, launch, shots, results, mail })
    }
  } catch (e) {
    results.push({ name: 'journey aborted', ok: false, error: String(e?.stack || e) })
  } finally {
    const passed = results.filter((r) => r.ok === true).length
    const failed = results.filter((r) => r.ok === false).length
    const skipped = results.filter((r) => r.ok === null).length
    console.log('')
    for (const r of results) console.log(`${r.ok === true ? 'PASS' : r.ok === false ? 'FAIL' : 'SKIP'}  ${r.name}${r.error ? `\n      ${r.error.split('\n').slice(0, 4).join('\n      ')}` : ''}`)
    writeFileSync(path.join(shots, 'results.json'), JSON.stringify(results, null, 2))
    console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`)
    code = failed === 0 && passed > 0 ? 0 : 1
    if (proc) {
      try { process.kill(-proc.pid, 'SIGTERM') } catch {}
    }
    await mail?.close()
    rmSync(profile, { recursive: true, force: true })
  }
  process.exit(code)
}
main().catch((e) => {
  console.error(e)
  process.exit(1)
})
