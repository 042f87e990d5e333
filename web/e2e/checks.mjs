// The checks of issue #16 on every screen the journeys visit: accessibility
// with axe-core (no serious or critical violations) and no raw translation key
// (or a bare "?" as a confirmation) in the rendered text, in either language.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const require = createRequire(import.meta.url)

/** axe-core's browser build, evaluated in the page over the DevTools protocol:
 *  an inline <script> would be refused by the server's CSP (and reported). */
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8')

/** Impacts that fail a screen. */
export const FAILING_IMPACTS = ['serious', 'critical']

/** axe-core runs with its defaults (WCAG 2.x A/AA and best practices), no rule
 *  switched off and no region left out. Only these findings in third-party markup
 *  that our code cannot change are passed over, each node by rule and selector: */
export const IGNORED = [
  {
    rule: 'role-img-alt',
    selector: '.fc .fc-button > .fc-icon[role=img]',
    why:
      "FullCalendar's prev/next buttons hold an icon <span role=img> without a name. The children of a " +
      'button are presentational in ARIA, so nobody hears the icon; the button itself is named by ' +
      "FullCalendar's title (\"Предыдущий месяц\"), which axe's button-name rule still checks.",
  },
  {
    rule: 'label-content-name-mismatch',
    selector: '.fc td.fc-daygrid-day[aria-labelledby]',
    why:
      'FullCalendar names each day cell of the month grid by its date (aria-labelledby = the day number), ' +
      "so the events in the cell are not part of the cell's name; they are links of their own, each read " +
      "with its title. The cell markup is FullCalendar's (no option changes it).",
  },
]

/** Flattens a locale file to its key paths ("section.sub.key"). */
export function flatten(obj, prefix = '', out = []) {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k
    if (v && typeof v === 'object') {
      out.push({ key, leaf: false })
      flatten(v, key, out)
    } else out.push({ key, leaf: true })
  }
  return out
}

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
// Not a key's neighbours: a letter, digit, "_", "@", "/", ":" or "-" before it
// (an e-mail address, a URL, a file name such as "import-report.csv"), the same
// or a dot and a letter after it (the key would go on).
const BEFORE = String.raw`(?<![\p{L}\p{N}_@./:-])`
const AFTER = String.raw`(?![\p{L}\p{N}_@/:-]|\.[\p{L}\p{N}_])`
/** File names are not keys: "report.pdf", "formulas.txt". */
const FILE_EXT = /\.(csv|txt|pdf|png|jpe?g|gif|svg|webp|ics|zip|docx?|xlsx?|pptx?|odt|json|html?|md|mp[34]|webm)$/

/** The key sets of web/src/locales/{ru,en}.json, and a scanner of rendered text. */
export function keyScanner(localesDir = path.resolve(here, '../src/locales')) {
  const sections = new Set()
  const paths = new Set()
  for (const lang of ['ru', 'en']) {
    const messages = JSON.parse(readFileSync(path.join(localesDir, `${lang}.json`), 'utf8'))
    for (const s of Object.keys(messages)) sections.add(s)
    // Every key path with a dot: the leaves and the inner objects ("settings.x").
    for (const { key } of flatten(messages)) if (key.includes('.')) paths.add(key)
  }
  const known = new RegExp(BEFORE + '(' + [...paths].sort((a, b) => b.length - a.length).map(escapeRe).join('|') + ')' + AFTER, 'gu')
  const keyLike = new RegExp(BEFORE + '([a-z][a-z0-9_]*(?:\\.[a-z0-9_]+)+)' + AFTER, 'gu')
  // A message's parameter left unfilled: "{name}", "{count}".
  const placeholder = /\{[a-z_][a-z0-9_]*\}/gu
  /** [{ where, value }] → ["token" in where: «…context…»]. */
  return function scan(texts) {
    const found = []
    const say = (where, value, index, token, why) => {
      const ctx = value.slice(Math.max(0, index - 30), index + token.length + 30).replace(/\s+/g, ' ')
      found.push(`${why} «${token}» in ${where}: «${ctx}»`)
    }
    for (const { where, value } of texts) {
      if (!value) continue
      const seen = new Set()
      for (const m of value.matchAll(known)) {
        seen.add(m.index)
        say(where, value, m.index, m[1], 'a translation key')
      }
      for (const m of value.matchAll(keyLike)) {
        if (seen.has(m.index)) continue
        const token = m[1]
        if (!sections.has(token.split('.')[0]) || FILE_EXT.test(token)) continue
        say(where, value, m.index, token, 'a key-like token of a locale section')
      }
      for (const m of value.matchAll(placeholder)) say(where, value, m.index, m[0], 'an unfilled message parameter')
    }
    return found
  }
}

/** In the page: the visible text and the texts of attributes that reach people
 *  (title, placeholder, aria-label, alt, an option's label, a button's value). */
function collectTexts() {
  const texts = [
    { where: 'the page text', value: document.body?.innerText ?? '' },
    { where: 'the document title', value: document.title },
  ]
  for (const attr of ['title', 'placeholder', 'aria-label', 'aria-placeholder', 'aria-roledescription', 'aria-valuetext', 'alt', 'label'])
    for (const el of document.querySelectorAll(`[${attr}]`)) {
      const v = el.getAttribute(attr)
      if (v) texts.push({ where: `${attr}="" of <${el.tagName.toLowerCase()}${el.getAttribute('data-test') ? ` data-test=${el.getAttribute('data-test')}` : ''}>`, value: v })
    }
  for (const el of document.querySelectorAll('option, input[type=button], input[type=submit]'))
    texts.push({ where: `<${el.tagName.toLowerCase()}>`, value: el.tagName === 'OPTION' ? el.textContent : el.value })
  return texts
}

/** In the page: dialogs on screen whose text says nothing but "?" (or has an
 *  empty title). */
function bareDialogs() {
  const out = []
  for (const d of document.querySelectorAll('.modal, [role=dialog], [role=alertdialog]')) {
    if (!d.getClientRects().length || getComputedStyle(d).visibility === 'hidden') continue
    const buttons = [...d.querySelectorAll('button, .btn')].map((b) => b.innerText.trim())
    let said = d.innerText
    for (const b of buttons) said = said.replace(b, '')
    said = said.trim()
    const title = d.querySelector('.modal-title')?.innerText.trim()
    const body = d.querySelector('.modal-body')?.innerText.trim()
    if (said === '?' || said === '' || title === '?' || title === '' || body === '?') out.push(d.innerText.replace(/\s+/g, ' ').trim() || '(empty)')
  }
  return out
}

/** One screen: the text scan and axe-core. Returns the problems: { kind: "keys" | "a11y", text }. */
export async function checkScreen(page, screen, scan) {
  const problems = []
  const lang = await page.evaluate(() => document.documentElement.lang || '?')
  const label = `${screen} [${lang}]`
  // The text scan.
  for (const p of scan(await page.evaluate(collectTexts))) problems.push({ kind: 'keys', text: `${label}: ${p}` })
  for (const d of await page.evaluate(bareDialogs)) problems.push({ kind: 'keys', text: `${label}: a dialog that says only «?» or has no title: «${d}»` })
  // axe-core, on the colours at rest: a button still fading from its hover
  // or focus colour (Bootstrap's 0.15 s transition) is not what a reader
  // sees. Bootstrap drops its transitions for reduced motion.
  await page.emulateMedia({ reducedMotion: 'reduce' })
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(axeSource)
  const result = await page.evaluate(
    async (ignored) => {
      const r = await window.axe.run(document, { resultTypes: ['violations'] })
      const passedOver = (rule, target) => {
        const el = target.length === 1 ? document.querySelector(target[0]) : null
        return !!el && ignored.some((i) => i.rule === rule && el.matches(i.selector))
      }
      return r.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.filter((n) => !passedOver(v.id, n.target)).map((n) => ({ target: n.target.join(' '), impact: n.impact, summary: n.failureSummary })),
      }))
    },
    IGNORED.map(({ rule, selector }) => ({ rule, selector })),
  )
  for (const v of result) {
    const nodes = v.nodes.filter((n) => FAILING_IMPACTS.includes(n.impact ?? v.impact))
    if (!nodes.length) continue
    // The nodes grouped by what is wrong with them (for color-contrast: the colours).
    const byWhy = new Map()
    for (const n of nodes) {
      const why = (n.summary ?? '').replace(/^Fix (any|all) of the following:\s*/, '').replace(/\s+/g, ' ').trim().slice(0, 240)
      byWhy.set(why, [...(byWhy.get(why) ?? []), n.target])
    }
    const said = [...byWhy].map(([why, targets]) => `${targets.slice(0, 4).join(' | ')}${targets.length > 4 ? ` | … (${targets.length})` : ''}${why ? ` — ${why}` : ''}`)
    problems.push({ kind: 'a11y', rule: v.id, text: `${label}: ${v.id} (${v.impact}) ${v.help}:\n      ${said.join('\n      ')}` })
  }
  return problems
}

/** Markup that every check must catch (the journeys' self-test of these checks). */
export const PROBE_HTML =
  '<p>nav.home · dashboard.no_such_key · Привет, {name}! · student1@demo.school · report.pdf · 3,5 · 3.5 · https://demo.school/ical/x.ics</p>' +
  '<input type="text">' +
  '<div class="modal d-block" role="dialog"><div class="modal-dialog"><div class="modal-content">' +
  '<div class="modal-header"><h2 class="modal-title">?</h2></div><div class="modal-footer"><button class="btn btn-primary">OK</button></div>' +
  '</div></div></div>'

/** Installed in each page before its scripts: reports every toast and dialog
 *  text as it appears (they are gone again by the next check point). */
export function watchTransientTexts() {
  const seen = new WeakMap()
  const look = () => {
    for (const el of document.querySelectorAll('[data-test=toast], .modal, [role=dialog], [role=alertdialog]')) {
      if (!el.getClientRects().length || el.closest('#lms-e2e-probe')) continue
      const t = (el.innerText ?? '').trim()
      if (seen.get(el) === t) continue
      seen.set(el, t)
      const title = el.querySelector('.modal-title')?.innerText.trim()
      const body = el.querySelector('.modal-body')?.innerText.trim()
      window.__lmsTransientText?.(el.matches('[data-test=toast]') ? 'a toast' : 'a dialog', t, title ?? null, body ?? null)
    }
  }
  let timer = 0
  const start = () =>
    new MutationObserver(() => {
      if (!timer) timer = setTimeout(() => ((timer = 0), look()), 60)
    }).observe(document, { subtree: true, childList: true, characterData: true })
  start()
}
