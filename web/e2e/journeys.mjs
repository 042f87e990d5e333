// The journeys of issue #8, step by step. A step that needs the result of
// a failed one is skipped, so the report shows exactly what passes.
import path from 'node:path'
import { readFile } from 'node:fs/promises'
import { checkScreen, keyScanner, watchTransientTexts, IGNORED, PROBE_HTML } from './checks.mjs'

const PASSWORD = process.env.LMS_E2E_PASSWORD || 'demo12345'
const ADMIN = process.env.LMS_E2E_ADMIN || 'admin@dev.test'
const TEACHER = process.env.LMS_E2E_TEACHER || 'teacher@dev.test'
const STUDENT = process.env.LMS_E2E_STUDENT || 'student@dev.test'
const pad = (n) => String(n).padStart(2, '0')
/** `datetime-local` value `days`/`hours` from now in Europe/Moscow (UTC+3). */
function localIn({ days = 0, hours = 0 }) {
  const d = new Date(Date.now() + days * 864e5 + hours * 36e5 + 3 * 36e5)
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`
}
/** The date (`YYYY-MM-DD`) `days` from today in Europe/Moscow. */
const dayIn = (days) => localIn({ days }).slice(0, 10)

export async function journeys({ base, launch, shots, results, mail = null }) {
  const state = {}
  const problems = []
  const pages = []
  // Issue #16: every screenshot is also a check point (axe-core, raw translation keys).
  const scan = keyScanner()
  const a11yProblems = []
  const keyProblems = []
  const checked = []
  let transients = 0
  // Needs that are about the server, not about an earlier step: why they are missing.
  const reasons = {
    mailbox: 'no e-mail sink: put {smtp_port} in LMS_SERVER_CMD (LMS_SMTP_HOST=127.0.0.1 LMS_SMTP_PORT={smtp_port} LMS_SMTP_SECURITY=plain LMS_SMTP_FROM=…)',
    selfRegistration: 'self-registration is off on this server (LMS_SELF_REGISTRATION=true turns it on)',
  }
  if (mail) state.mailbox = true
  else console.log(`# the e-mail steps are skipped: ${reasons.mailbox}`)
  try {
    state.selfRegistration = (await (await fetch(`${base}/api/v1/school`)).json()).self_registration === true
  } catch {}
  async function step(name, needs, fn) {
    const missing = needs.filter((k) => !state[k])
    if (missing.length) {
      results.push({ name, ok: null, error: `skipped: needs ${missing.map((k) => reasons[k] ?? k).join('; ')}` })
      return
    }
    const t0 = Date.now()
    try {
      await fn()
      results.push({ name, ok: true, ms: Date.now() - t0 })
      console.log(`ok   ${name}`)
    } catch (e) {
      results.push({ name, ok: false, error: String(e?.message || e) })
      console.log(`FAIL ${name}: ${String(e?.message || e).split('\n')[0]}`)
      for (const p of pages) await p.screenshot({ path: path.join(shots, `fail-${results.length}-${pages.indexOf(p)}.png`), fullPage: true }).catch(() => {})
    }
  }
  async function open(name) {
    const ctx = await launch(name)
    ctx.setDefaultTimeout(15000)
    const page = ctx.pages()[0] ?? (await ctx.newPage())
    page.on('console', (m) => {
      const text = m.text()
      if (/Content.Security.Policy|Refused to (load|execute|apply|connect|evaluate)/i.test(text)) problems.push(`${name}: ${text}`)
    })
    page.on('pageerror', (e) => problems.push(`${name}: page error: ${e.message}`))
    // Toasts and dialogs come and go between check points: their texts are scanned as they appear.
    await page.exposeFunction('__lmsTransientText', (kind, said, title, body) => {
      const where = `${name} ${page.url().replace(/^https?:\/\/[^/]+/, '')}: ${kind}`
      transients++
      for (const p of scan([{ where, value: said }])) keyProblems.push(p)
      if (kind === 'a dialog' && [said, title, body].some((t) => t !== null && ['?', ''].includes(t.trim())))
        keyProblems.push(`${where} says only «?» or has no title: «${said.replace(/\s+/g, ' ')}»`)
    })
    await page.addInitScript(watchTransientTexts)
    // Confirmations are the app's own dialog; a native one is a defect (issue #13).
    page.on('dialog', (d) => {
      problems.push(`${name}: a native ${d.type()} dialog: ${JSON.stringify(d.message())}`)
      d.accept()
    })
    pages.push(page)
    return { ctx, page }
  }
  async function login(page, email) {
    await page.goto('/login')
    await page.fill('[data-test=login-email]', email)
    await page.fill('[data-test=login-password]', PASSWORD)
    await page.click('[data-test=login-submit]')
    await page.waitForSelector('[data-test=current-user]')
  }
  async function shot(page, name) {
    await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true })
    await check(page, name.replace(/-(ru|en)$/, ''))
  }
  /** A check point of issue #16: axe-core (serious and critical violations) and
   *  the rendered text (raw translation keys, unfilled parameters, a bare «?» dialog). */
  async function check(page, screen) {
    let found
    for (let i = 0; ; i++) {
      try {
        found = await checkScreen(page, screen, scan)
        break
      } catch (e) {
        // A navigation under way: once more, then say so.
        if (i >= 1) {
          a11yProblems.push(`${screen}: could not be checked: ${String(e?.message || e).split('\n')[0]}`)
          return
        }
        await page.waitForLoadState('load').catch(() => {})
        await page.waitForTimeout(500)
      }
    }
    const lang = await page.evaluate(() => document.documentElement.lang).catch(() => '?')
    checked.push(`${screen} [${lang}]`)
    for (const p of found) {
      ;(p.kind === 'a11y' ? a11yProblems : keyProblems).push(p.text)
      console.log(`#    ${p.kind === 'a11y' ? 'axe' : 'text'}: ${p.text}`)
    }
  }
  const text = (page, sel) => page.locator(sel).first().innerText()
  /** A question's prompt is rich text (#17): typed into its editor, replacing what is there. */
  async function setPrompt(page, text) {
    await page.click('[data-test=q-prompt] .ql-editor')
    await page.keyboard.press('Control+A')
    await page.keyboard.press('Delete')
    await page.keyboard.type(text)
  }
  // A real 1×1 PNG, as a screenshot tool puts it on the clipboard.
  const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='
  /** Pastes a screenshot into the rich editor `sel` at its caret; returns the picture's address once uploaded (#17). */
  async function pastePicture(page, sel) {
    await page.evaluate(({ b64, sel }) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))
      const clipboard = new DataTransfer()
      clipboard.items.add(new File([bytes], 'image.png', { type: 'image/png' }))
      document.querySelector(`${sel} .ql-editor`).dispatchEvent(new ClipboardEvent('paste', { clipboardData: clipboard, bubbles: true, cancelable: true }))
    }, { b64: PNG, sel })
    const pasted = page.locator(`${sel} .ql-editor img[src^="/api/v1/files/"]`)
    await pasted.waitFor({ timeout: 10000 })
    return pasted.getAttribute('src')
  }
  /** Writes a formula with the editor's formula button at the end of `sel`. */
  async function addFormula(page, sel, latex) {
    await page.click(`${sel} .ql-editor`)
    await page.keyboard.press('Control+End')
    await page.click(`${sel} button.ql-formula`)
    const tip = page.locator(`${sel} .ql-tooltip.ql-editing`)
    await tip.waitFor()
    await tip.locator('input[type=text]').fill(latex)
    await tip.locator('input[type=text]').press('Enter')
    await page.waitForSelector(`${sel} .ql-editor span.ql-formula .katex`)
  }
  /** Waits until the picture `src` inside `scope` has loaded. */
  async function pictureLoads(page, scope, src) {
    await page.waitForFunction(({ scope, src }) => {
      const img = document.querySelector(`${scope} img[src="${src}"]`)
      return img && img.complete && img.naturalWidth > 0
    }, { scope, src }, { timeout: 10000 }).catch(() => { throw new Error(`the picture ${src} does not load in ${scope}`) })
  }
  async function quillType(page, testId, fn) {
    await page.click(`[data-test=${testId}] .ql-editor`)
    await fn()
  }

  const teacher = await open('teacher')
  const student = await open('student')
  const T = teacher.page
  const S = student.page

  await step('login page shows a readable error for a wrong password', [], async () => {
    await T.goto('/login')
    await shot(T, 'login-ru')
    await T.fill('[data-test=login-email]', TEACHER)
    await T.fill('[data-test=login-password]', 'wrong-password')
    await T.click('[data-test=login-submit]')
    const err = await text(T, '[data-test=login-error]')
    if (!/парол|почт/i.test(err)) throw new Error(`unexpected error text: ${err}`)
  })
  await step('the #16 checks catch what they look for: raw keys, an unfilled parameter, a «?» dialog, an unlabelled field; not an e-mail, a file name, a number or a URL', [], async () => {
    await S.goto('/login')
    await S.waitForSelector('[data-test=login-email]')
    await S.evaluate((html) => {
      const probe = document.createElement('div')
      probe.id = 'lms-e2e-probe'
      probe.innerHTML = html
      document.body.append(probe)
    }, PROBE_HTML)
    let found
    try {
      found = (await checkScreen(S, 'probe', scan)).map((p) => p.text).join('\n')
    } finally {
      await S.evaluate(() => document.getElementById('lms-e2e-probe')?.remove())
    }
    for (const want of ['«nav.home»', '«dashboard.no_such_key»', '«{name}»', 'says only «?»', ': label (critical)'])
      if (!found.includes(want)) throw new Error(`not caught: ${want}\n${found}`)
    for (const not of ['«student1', '«demo.school', '«report.pdf', '«3.5', '«ical'])
      if (found.includes(not)) throw new Error(`a false alarm: ${not}\n${found}`)
  })
  await step('teacher logs in', [], async () => {
    await login(T, TEACHER)
    state.teacher = true
  })
  await step("the header and the login page show the school's name and logo; the side menu has an icon per entry, at a fixed width (#13)", ['teacher'], async () => {
    const info = await (await T.request.get('/api/v1/school')).json()
    if (!info?.name) throw new Error(`GET /api/v1/school: ${JSON.stringify(info)}`)
    const loaded = (page, sel) => page.locator(sel).evaluate((img) => img.complete && img.naturalWidth > 0)
    if ((await text(T, '[data-test=school-name]')).trim() !== info.name) throw new Error(`header: ${await text(T, '[data-test=school-name]')}`)
    if (!(await loaded(T, '[data-test=school-logo]'))) throw new Error('the header logo did not load')
    // Every menu entry: a bootstrap-icons glyph (the bundled font, allowed by the CSP) and its label.
    const links = await T.locator('.sidebar .nav-link').evaluateAll((ls) => ls.map((l) => ({ icon: l.querySelector('i.bi')?.getBoundingClientRect().width ?? 0, label: l.innerText.trim() })))
    if (!links.length || links.some((l) => l.icon < 8 || !l.label)) throw new Error(`menu entries: ${JSON.stringify(links)}`)
    await T.waitForFunction(() => [...document.fonts].some((f) => f.family.replace(/["']/g, '') === 'bootstrap-icons' && f.status === 'loaded'), null, { timeout: 5000 }).catch(() => {
      throw new Error('the icon font did not load')
    })
    const width = () => T.locator('.sidebar').evaluate((e) => e.getBoundingClientRect().width)
    const w1 = await width()
    await T.click('[data-test=nav-schedule]')
    await T.waitForSelector('.fc')
    if (Math.abs((await width()) - w1) > 0.5) throw new Error(`the side menu changes width: ${w1} → ${await width()}`)
    // The login page (the student is not logged in yet).
    await S.goto('/login')
    await S.waitForFunction((n) => document.querySelector('[data-test=login-school]')?.textContent?.trim() === n, info.name)
    if (!(await loaded(S, '[data-test=login-logo]'))) throw new Error('the login page logo did not load')
    await shot(S, 'login-brand-ru')
  })
  await step('teacher creates a course', ['teacher'], async () => {
    await T.click('[data-test=nav-courses]')
    await T.waitForSelector('[data-test=course-title]')
    await check(T, 'courses-teacher')
    await T.fill('[data-test=course-title]', 'Алгебра 9')
    await T.click('[data-test=course-create]')
    await T.waitForSelector('[data-test=course-heading]')
    state.courseUrl = new URL(T.url()).pathname
    state.courseId = state.courseUrl.split('/').pop()
  })
  await step('teacher writes a rich-text lesson (heading, bold, list)', ['courseId'], async () => {
    await T.click('[data-test=new-lesson]')
    await T.fill('[data-test=lesson-title-input]', 'Квадратные уравнения')
    await quillType(T, 'lesson-editor', async () => {
      await T.keyboard.type('Формула корней')
      await T.click('[data-test=lesson-editor] .ql-header .ql-picker-label')
      await T.click('[data-test=lesson-editor] .ql-header .ql-picker-item[data-value="2"]')
      await T.keyboard.press('End')
      await T.keyboard.press('Enter')
      await T.click('[data-test=lesson-editor] button.ql-bold')
      await T.keyboard.type('Дискриминант')
      await T.click('[data-test=lesson-editor] button.ql-bold')
      await T.keyboard.type(' равен b² − 4ac.')
      await T.keyboard.press('Enter')
      await T.click('[data-test=lesson-editor] button.ql-list[value="bullet"]')
      await T.keyboard.type('D > 0: два корня')
      await T.keyboard.press('Enter')
      await T.keyboard.type('D = 0: один корень')
    })
    await T.click('[data-test=lesson-save]')
    await T.waitForSelector('[data-test=lesson-body] h2')
    const html = await T.locator('[data-test=lesson-body]').innerHTML()
    if (!/<strong>Дискриминант<\/strong>/.test(html) || !/<li[^>]*>D = 0/.test(html)) throw new Error(`lesson HTML lost formatting: ${html}`)
    state.lessonUrl = new URL(T.url()).pathname
    await shot(T, 'lesson-teacher-ru')
  })
  await step('the editor speaks Russian, puts the caret after an inserted image and types like the published lesson; lesson headings stay below the title (#13)', ['lessonUrl'], async () => {
    const ed = '[data-test=lesson-editor]'
    await T.goto(state.lessonUrl + '/edit')
    await T.waitForSelector(`${ed} .ql-editor h2`)
    const titles = await T.locator(`${ed} .ql-toolbar button`).evaluateAll((bs) => bs.map((b) => b.getAttribute('title') ?? ''))
    for (const want of ['Полужирный', 'Курсив', 'Нумерованный список', 'Маркированный список', 'Ссылка', 'Изображение'])
      if (!titles.includes(want)) throw new Error(`toolbar titles: ${JSON.stringify(titles)}`)
    if (titles.some((x) => !x)) throw new Error(`a toolbar button has no title: ${JSON.stringify(titles)}`)
    // The link box: Russian texts instead of "Enter link:" / "Save".
    await T.locator(`${ed} .ql-editor h2`).click({ clickCount: 2 })
    await T.click(`${ed} button.ql-link`)
    const tip = T.locator(`${ed} .ql-tooltip.ql-editing`)
    await tip.waitFor()
    const said = await tip.evaluate((el) => [getComputedStyle(el, '::before').content, getComputedStyle(el.querySelector('a.ql-action'), '::after').content])
    if (said[0] !== '"Введите ссылку:"' || said[1] !== '"Сохранить"') throw new Error(`link box says ${said.join(' / ')}`)
    await T.keyboard.press('Escape')
    // An image goes in at the caret, and typing continues after it.
    await T.click(`${ed} .ql-editor`)
    await T.keyboard.press('Control+End')
    await T.keyboard.press('Enter')
    await T.keyboard.press('Enter')
    const chooser = T.waitForEvent('filechooser')
    await T.click(`${ed} button.ql-image`)
    await (await chooser).setFiles({ name: 'dot.png', mimeType: 'image/png', buffer: Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64') })
    await T.waitForSelector(`${ed} .ql-editor img`)
    await T.keyboard.type('после')
    const html = await T.locator(`${ed} .ql-editor`).innerHTML()
    if (!/<img[^>]*>после/.test(html)) throw new Error(`the text went before the image: ${html.slice(-200)}`)
    await shot(T, 'lesson-editor-ru')
    // One typography: the editor's text and headings as in the published lesson.
    const look = (sel) => T.locator(sel).first().evaluate((e) => { const c = getComputedStyle(e); return `${c.fontFamily} | ${c.fontSize} | ${c.lineHeight}` })
    const [edText, edH2] = [await look(`${ed} .ql-editor`), await look(`${ed} .ql-editor h2`)]
    await T.goto(state.lessonUrl)
    await T.waitForSelector('[data-test=lesson-body] h2')
    const [viewText, viewH2] = [await look('[data-test=lesson-body]'), await look('[data-test=lesson-body] h2')]
    if (edText !== viewText) throw new Error(`editor text ${edText} ≠ lesson text ${viewText}`)
    if (edH2 !== viewH2) throw new Error(`editor heading ${edH2} ≠ lesson heading ${viewH2}`)
    const size = (sel) => T.locator(sel).first().evaluate((e) => parseFloat(getComputedStyle(e).fontSize))
    const [title, h2] = [await size('[data-test=lesson-title]'), await size('[data-test=lesson-body] h2')]
    if (!(title > h2)) throw new Error(`a lesson heading (${h2}px) is not smaller than the lesson title (${title}px)`)
  })
  await step('teacher attaches a file to the lesson', ['lessonUrl'], async () => {
    await T.goto(state.lessonUrl + '/edit')
    await T.waitForSelector('[data-test=lesson-file]')
    await T.setInputFiles('[data-test=lesson-file]', { name: 'formulas.txt', mimeType: 'text/plain', buffer: Buffer.from('D = b^2 - 4ac\n') })
    await T.waitForSelector('[data-test=attachment]', { timeout: 10000 }).catch(async () => {
      throw new Error(await T.locator('text=formulas.txt').innerText().catch(() => 'not attached'))
    })
    await T.click('[data-test=lesson-save]')
    await T.waitForSelector('a:has-text("formulas.txt")')
    state.lessonFile = true
  })
  await step('teacher reorders lessons by drag and drop', ['lessonUrl'], async () => {
    await T.goto(`/courses/${state.courseId}/lessons/new`)
    await T.fill('[data-test=lesson-title-input]', 'Теорема Виета')
    await quillType(T, 'lesson-editor', () => T.keyboard.type('x₁ + x₂ = −b/a'))
    await T.click('[data-test=lesson-save]')
    await T.waitForSelector('[data-test=lesson-body]')
    state.lesson2Url = new URL(T.url()).pathname
    await T.goto(state.courseUrl)
    await T.waitForSelector('[data-test=lesson-row] >> nth=1')
    const saved = T.waitForResponse((r) => r.url().endsWith('/lessons/order') && r.request().method() === 'PUT')
    await T.dragAndDrop('[data-test=lesson-row] >> nth=1', '[data-test=lesson-row] >> nth=0')
    if (!(await saved).ok()) throw new Error('the new order was refused')
    await T.waitForFunction(() => document.querySelector('[data-test=lesson-row]')?.textContent?.includes('Виета'))
    await T.reload()
    await T.waitForSelector('[data-test=lesson-row]')
    const first = await text(T, '[data-test=lesson-row]')
    if (!first.includes('Виета')) throw new Error(`order not kept: first is ${first}`)
  })
  await step('deleting a lesson asks in words in a dialog; Escape keeps the lesson (#13)', ['lesson2Url'], async () => {
    await T.goto(state.lesson2Url + '/edit')
    await T.click('[data-test=lesson-delete]')
    const dialog = T.locator('[data-test=confirm-dialog]')
    await dialog.waitFor()
    const said = (await dialog.innerText()).replace(/\s+/g, ' ')
    if (!said.includes('Удалить урок «Теорема Виета»? Это действие нельзя отменить.')) throw new Error(`dialog says: ${said}`)
    const focused = await T.evaluate(() => document.activeElement?.getAttribute('data-test'))
    if (focused !== 'confirm-cancel') throw new Error(`focus starts on ${focused}, not on cancel`)
    await check(T, 'confirm-dialog')
    await T.keyboard.press('Escape')
    await dialog.waitFor({ state: 'detached' })
    if (!new URL(T.url()).pathname.endsWith('/edit')) throw new Error(`Escape left the page: ${T.url()}`)
    await T.click('[data-test=lesson-delete]')
    await T.click('[data-test=confirm-ok]')
    await T.waitForURL(new RegExp(`/courses/${state.courseId}$`))
    await T.waitForSelector('[data-test=lesson-row]')
    if (await T.locator('[data-test=lesson-row]', { hasText: 'Виета' }).count()) throw new Error('the lesson is still listed')
  })
  await step('teacher publishes the course and gets an invite code', ['courseId'], async () => {
    await T.goto(state.courseUrl)
    await T.click('[data-test=publish]')
    await T.waitForFunction(() => document.querySelector('[data-test=course-status]')?.textContent?.includes('опубликован'))
    const before = (await text(T, '[data-test=invite-code]')).trim()
    await T.click('[data-test=rotate-code]')
    await T.waitForFunction((b) => {
      const c = document.querySelector('[data-test=invite-code]')?.textContent?.trim() ?? ''
      return c !== b && /[A-Z0-9]{4,}/.test(c)
    }, before)
    state.code = (await text(T, '[data-test=invite-code]')).trim()
    await shot(T, 'course-teacher-ru')
  })
  await step('a new course has a cover from its title; the owner picks another theme, and it stays (#13)', ['courseId'], async () => {
    await T.goto(state.courseUrl)
    const banner = T.locator('[data-test=course-cover]').first()
    await banner.waitFor()
    if ((await banner.getAttribute('data-cover')) !== 'math') throw new Error(`«Алгебра 9» got the ${await banner.getAttribute('data-cover')} cover`)
    await T.click('[data-test=edit-course]')
    await T.click('[data-test=cover-picker] [data-cover=exam]')
    await T.waitForFunction(() => document.querySelector('[data-test=course-cover]')?.getAttribute('data-cover') === 'exam')
    await T.reload()
    await T.waitForSelector('[data-test=course-heading]')
    const kept = await T.locator('[data-test=course-cover]').first().getAttribute('data-cover')
    if (kept !== 'exam') throw new Error(`after reload the cover is ${kept}`)
    state.cover = 'exam'
  })
  await step('the course owner invites a student by e-mail on the course page; the pending invitation is sent again (a new link) and revoked (#14)', ['code'], async () => {
    const who = `invited-${Date.now().toString(36)}@school.test`
    await T.goto(state.courseUrl)
    await T.click('[data-test=tab-students]')
    const form = T.locator('[data-test=invite-form]')
    await form.waitFor()
    if (await form.locator('[data-test=invite-role], [data-test=invite-courses]').count()) throw new Error('the course form asks for a role or courses')
    const since = Date.now()
    await T.fill('[data-test=invite-email]', who)
    await T.fill('[data-test=invite-name]', 'Пётр Приглашённый')
    await T.click('[data-test=invite-submit]')
    await T.waitForSelector(`[data-test=toast]:has-text("Приглашение отправлено на ${who}")`)
    const row = T.locator(`[data-test=invitation-row][data-email="${who}"]`)
    await row.waitFor()
    await shot(T, 'course-invite-ru')
    let first = null
    if (mail) first = (await mail.waitForLink(who, /\/invitation\/[0-9a-f]+/, { since, timeoutMs: 30000 })).link
    const resent = Date.now()
    await row.locator('[data-test=inv-resend]').click()
    await T.waitForSelector(`[data-test=toast]:has-text("Приглашение отправлено снова: ${who}")`)
    if (mail) {
      const second = (await mail.waitForLink(who, /\/invitation\/[0-9a-f]+/, { since: resent, timeoutMs: 30000 })).link
      if (second === first) throw new Error('sending again kept the old link')
      // The old link stops working; the new one shows the invitation.
      await S.goto(first)
      await S.waitForSelector('[data-test=invitation-link-problem][data-problem=invalid]')
      if (!/Попросите школу прислать новое приглашение/.test(await text(S, '[data-test=invitation-link-text]'))) throw new Error(`old link: ${await text(S, '[data-test=invitation-link-text]')}`)
      await S.goto(second)
      await S.waitForSelector('[data-test=invitation-preview]')
      if (!(await text(S, '[data-test=invitation-courses]')).includes('Алгебра 9')) throw new Error(`preview: ${await text(S, '[data-test=invitation-preview]')}`)
      state.secondLink = second
    }
    await row.locator('[data-test=inv-revoke]').click()
    const dialog = T.locator('[data-test=confirm-dialog]')
    await dialog.waitFor()
    if (!(await dialog.innerText()).includes(`Отозвать приглашение для ${who}?`)) throw new Error(`dialog: ${await dialog.innerText()}`)
    await T.click('[data-test=confirm-ok]')
    await T.waitForSelector(`[data-test=toast]:has-text("Приглашение для ${who} отозвано")`)
    await row.waitFor({ state: 'detached' })
    if (state.secondLink) {
      await S.goto(state.secondLink)
      await S.waitForSelector('[data-test=invitation-link-problem][data-problem=invalid]')
    }
  })
  await step('assignment form shows a field error (no due date)', ['courseId'], async () => {
    await T.goto(`/courses/${state.courseId}/assignments/new`)
    await T.fill('[data-test=hw-title]', 'Решить 5 уравнений')
    await T.click('[data-test=hw-save]')
    const err = await text(T, '[data-test=form-error]')
    if (!err.trim()) throw new Error('no error shown')
  })
  await step('an empty lesson title is named in the error, and the field is highlighted (#13)', ['courseId'], async () => {
    await T.goto(`/courses/${state.courseId}/lessons/new`)
    await T.fill('[data-test=lesson-title-input]', '')
    await T.click('[data-test=lesson-save]')
    await T.waitForSelector('[data-test=form-error]')
    const err = (await text(T, '[data-test=form-error]')).trim()
    if (err !== 'Название урока не может быть пустым.') throw new Error(`lesson title error: ${err}`)
    if (!(await T.locator('[data-test=lesson-title-input].is-invalid').count())) throw new Error('the title field is not highlighted')
    if (!/\/lessons\/new$/.test(new URL(T.url()).pathname)) throw new Error(`left the form: ${T.url()}`)
  })
  await step('teacher creates an assignment with a deadline', ['courseId'], async () => {
    await T.goto(`/courses/${state.courseId}/assignments/new`)
    await T.fill('[data-test=hw-title]', 'Решить 5 уравнений')
    await quillType(T, 'hw-editor', () => T.keyboard.type('Решите уравнения из §3 и приложите фото.'))
    await T.fill('[data-test=hw-due]', localIn({ days: 7 }))
    await T.fill('[data-test=hw-max]', '10')
    await check(T, 'assignment-edit')
    await T.click('[data-test=hw-save]')
    await T.waitForSelector('[data-test=assignment-title]')
    state.assignmentUrl = new URL(T.url()).pathname
  })
  await step('teacher builds a quiz (single, multiple, true/false, short text, numeric, matching) and publishes it', ['courseId'], async () => {
    await T.goto(`/courses/${state.courseId}/quizzes/new`)
    await T.fill('[data-test=quiz-title-input]', 'Проверка по теме')
    await T.fill('[data-test=quiz-time-limit]', '30')
    await T.click('[data-test=quiz-save]')
    await T.waitForURL(/\/quizzes\/.+\/build/)
    state.quizId = T.url().split('/quizzes/')[1].split('/')[0]
    const add = async (kind, prompt, fill) => {
      await T.selectOption('[data-test=q-kind]', kind)
      await setPrompt(T, prompt)
      await fill()
      const before = await T.locator('[data-test=builder-question]').count()
      await T.click('[data-test=q-save]')
      await T.waitForFunction((n) => document.querySelectorAll('[data-test=builder-question]').length > n, before, { timeout: 8000 }).catch(async () => {
        throw new Error(`${kind} not added: ${await T.locator('[data-test=question-error]').innerText().catch(() => '?')}`)
      })
    }
    await add('single_choice', 'Сколько корней при D > 0?', async () => {
      await T.fill('[data-test=q-option-0]', 'Два')
      await T.fill('[data-test=q-option-1]', 'Один')
      // An option with a formula (#17), previewed as it is typed.
      await T.click('[data-test=q-add-option]')
      await T.fill('[data-test=q-option-2]', 'Столько же, сколько при $D < 0$')
      await T.waitForSelector('[data-test=q-option-preview] span.ql-formula .katex')
      await T.check('[data-test=q-correct-0]')
    })
    await add('multiple_choice', 'Какие числа — корни x² − 5x + 6 = 0?', async () => {
      await T.fill('[data-test=q-option-0]', '2')
      await T.fill('[data-test=q-option-1]', '3')
      await T.click('[data-test=q-add-option]')
      await T.fill('[data-test=q-option-2]', '5')
      await T.check('[data-test=q-correct-0]')
      await T.check('[data-test=q-correct-1]')
      await T.uncheck('[data-test=q-correct-2]')
    })
    await add('true_false', 'При D < 0 действительных корней нет.', async () => {
      // A picture pasted and a formula written into the prompt (#17).
      await T.keyboard.type(' График: ')
      state.quizPicture = await pastePicture(T, '[data-test=q-prompt]')
      await addFormula(T, '[data-test=q-prompt]', 'D = b^2 - 4ac')
      await T.selectOption('[data-test=q-tf]', { index: 0 })
    })
    await add('short_text', 'Как называется b² − 4ac?', async () => {
      await T.fill('[data-test=q-accepted]', 'дискриминант\nDiscriminant')
    })
    await add('numeric', 'Чему равен D для x² − 4x + 4?', async () => {
      await T.fill('[data-test=q-value]', '0')
    })
    await add('matching', 'Сопоставьте дискриминант и число корней', async () => {
      await T.fill('[data-test=q-left-0]', 'D > 0')
      await T.fill('[data-test=q-right-0]', 'два корня')
      await T.fill('[data-test=q-left-1]', 'D = 0')
      await T.fill('[data-test=q-right-1]', 'один корень')
    })
    await T.click('[data-test=quiz-publish]')
    await T.waitForSelector('text=Снять с публикации')
    // Publishing says so (#13).
    await T.waitForSelector('[data-test=toast]:has-text("Тест опубликован")')
    await shot(T, 'quiz-builder-ru')
  })
  await step('teacher adds ordering and essay questions to a second quiz', ['courseId'], async () => {
    await T.goto(`/courses/${state.courseId}/quizzes/new`)
    await T.fill('[data-test=quiz-title-input]', 'Эссе и порядок')
    // A window from tomorrow 10:00 to the day after 18:00, for the calendar step.
    await T.getByLabel('Открывается', { exact: true }).fill(`${dayIn(1)}T10:00`)
    await T.getByLabel('Закрывается', { exact: true }).fill(`${dayIn(2)}T18:00`)
    await T.click('[data-test=quiz-save]')
    await T.waitForURL(/\/quizzes\/.+\/build/)
    state.quiz2Window = true
    await T.selectOption('[data-test=q-kind]', 'ordering')
    await setPrompt(T, 'Расположите шаги решения')
    await T.fill('[data-test=q-item-0]', 'Найти D')
    await T.fill('[data-test=q-item-1]', 'Найти корни')
    await T.click('[data-test=q-save]')
    await T.waitForSelector('[data-test=builder-question]')
    await T.selectOption('[data-test=q-kind]', 'essay')
    await setPrompt(T, 'Объясните, почему при D < 0 нет корней')
    await T.fill('[data-test=q-points]', '5')
    await T.click('[data-test=q-save]')
    await T.waitForFunction(() => document.querySelectorAll('[data-test=builder-question]').length === 2, null, { timeout: 8000 }).catch(async () => {
      throw new Error(await T.locator('[data-test=question-error]').innerText().catch(() => 'essay not added'))
    })
    // The prompt is rich text: editing it again shows the text, not its HTML (#17).
    await T.locator('[data-test=builder-question]').last().locator('[data-test=q-edit]').click()
    await T.waitForFunction(() => document.querySelector('[data-test=q-prompt] .ql-editor')?.textContent?.includes('D < 0'), null, { timeout: 5000 }).catch(async () => {
      throw new Error(`the prompt in the editor: ${await T.locator('[data-test=q-prompt] .ql-editor').innerText()}`)
    })
    const shown = await T.locator('[data-test=q-prompt] .ql-editor').innerText()
    if (/&lt;|<p>/.test(shown)) throw new Error(`the prompt shows markup: ${shown}`)
  })
  await step('teacher schedules a webinar with a provider', ['courseId'], async () => {
    await T.goto(`/courses/${state.courseId}/webinars/new`)
    await T.waitForSelector('[data-test=webinar-provider]', { timeout: 8000 })
    await T.fill('[data-test=webinar-title]', 'Разбор задач')
    await T.fill('[data-test=webinar-start]', localIn({ hours: 3 }))
    const providers = await T.locator('[data-test=webinar-provider] option').evaluateAll((os) => os.map((o) => o.value))
    if (!providers.length) throw new Error('no webinar providers offered by the server')
    if (providers.includes('external_link')) {
      await T.selectOption('[data-test=webinar-provider]', 'external_link')
      await T.fill('[data-test=webinar-url]', 'https://meet.example.org/algebra-9')
    }
    await check(T, 'webinar-edit')
    await T.click('[data-test=webinar-save]')
    await T.waitForURL(new RegExp(`/courses/${state.courseId}$`), { timeout: 10000 }).catch(async () => {
      throw new Error(await T.locator('[data-test=form-error]').innerText().catch(() => 'not saved'))
    })
    state.webinar = true
  })

  await step('teacher reschedules the webinar', ['webinar'], async () => {
    await T.goto(state.courseUrl)
    await T.click('[data-test=tab-webinars]')
    await T.click('[data-test=reschedule-webinar]')
    await T.waitForFunction(() => document.querySelector('[data-test=webinar-title]')?.value === 'Разбор задач')
    const later = localIn({ hours: 4 })
    await T.fill('[data-test=webinar-start]', later)
    await T.click('[data-test=webinar-save]')
    await T.waitForURL(new RegExp(`/courses/${state.courseId}$`))
    await T.click('[data-test=tab-webinars]')
    const row = await T.locator('.list-group-item', { hasText: 'Разбор задач' }).innerText()
    if (!row.includes(later.slice(11))) throw new Error(`expected ${later.slice(11)} in: ${row}`)
  })
  await step('the calendar draws a 23:59 deadline as one point and a quiz window as two markers (#13)', ['courseId', 'quiz2Window'], async () => {
    await T.goto(`/courses/${state.courseId}/assignments/new`)
    await T.fill('[data-test=hw-title]', 'Срок в 23:59')
    await quillType(T, 'hw-editor', () => T.keyboard.type('Сдать до конца дня.'))
    await T.fill('[data-test=hw-due]', `${dayIn(1)}T23:59`)
    await T.click('[data-test=hw-save]')
    await T.waitForSelector('[data-test=assignment-title]')
    // Events arrive after the view: wait for them, looking in the next
    // period too (tomorrow may fall in it).
    const poll = async (fn, ms = 5000) => {
      const until = Date.now() + ms
      let v
      while (!(v = await fn()) && Date.now() < until) await T.waitForTimeout(200)
      return v
    }
    const seek = async (sel, title) => {
      const found = () => T.locator(sel, { hasText: title })
      if (!(await poll(async () => (await found().count()) > 0))) {
        await T.click('.fc-next-button')
        await poll(async () => (await found().count()) > 0)
      }
      await T.waitForTimeout(300)
      return found()
    }
    const today = async () => {
      if (await T.locator('.fc-today-button').isEnabled()) await T.click('.fc-today-button')
    }
    await T.click('[data-test=nav-schedule]')
    await T.waitForSelector('.fc-dayGridMonth-view')
    // Month: the deadline is one dot event with the whole time, not a bar.
    const d = await seek('.fc-daygrid-event', 'Срок в 23:59')
    if ((await d.count()) !== 1) throw new Error(`the deadline is drawn ${await d.count()} times in the month`)
    const cls = (await d.first().getAttribute('class')) ?? ''
    if (!cls.includes('fc-daygrid-dot-event')) throw new Error(`the deadline is not a point: ${cls}`)
    const time = (await d.first().locator('.fc-event-time').innerText()).trim()
    if (time !== '23:59') throw new Error(`deadline time shown as "${time}"`)
    await shot(T, 'schedule-month-ru')
    // The quiz window: no bar on every day, just its two ends.
    const qClasses = await T.locator('.fc-daygrid-event', { hasText: 'Эссе и порядок' }).evaluateAll((els) => els.map((e) => e.className))
    if (!qClasses.length || qClasses.some((c) => !c.includes('fc-daygrid-dot-event'))) throw new Error(`quiz window drawn as: ${JSON.stringify(qClasses)}`)
    // List: the deadline once, at 23:59; the quiz as "opens" and "closes".
    await today()
    await T.click('.fc-listMonth-button')
    const rows = (title) => T.locator('.fc-list-event', { hasText: title }).evaluateAll((els) => els.map((e) => e.innerText.replace(/\s+/g, ' ').trim()))
    await poll(async () => (await rows('Срок в 23:59')).length > 0, 3000)
    let deadlineRows = await rows('Срок в 23:59')
    let quizRows = await rows('Эссе и порядок')
    if (deadlineRows.length === 0 || quizRows.length < 2) {
      await T.click('.fc-next-button')
      await poll(async () => (await rows('Эссе и порядок')).length > 0, 3000)
      if (!deadlineRows.length) deadlineRows = await rows('Срок в 23:59')
      quizRows = [...quizRows, ...(await rows('Эссе и порядок'))]
    }
    if (deadlineRows.length !== 1 || !deadlineRows[0].startsWith('23:59')) throw new Error(`deadline in the list: ${JSON.stringify(deadlineRows)}`)
    if (quizRows.length !== 2 || !/открывается/.test(quizRows[0]) || !/закрывается/.test(quizRows[1]) || quizRows.some((r) => /весь день|all-day/i.test(r)))
      throw new Error(`quiz window in the list: ${JSON.stringify(quizRows)}`)
    // Week: the deadline is on the grid and the quiz markers are short.
    await today()
    await T.click('.fc-timeGridWeek-button')
    const wd = await seek('.fc-timegrid-event', 'Срок в 23:59')
    if ((await wd.count()) !== 1) throw new Error(`the deadline is drawn ${await wd.count()} times in the week`)
    if (await T.locator('.fc-daygrid-event', { hasText: 'Эссе и порядок' }).count()) throw new Error('the quiz window is an all-day bar in the week')
    const heights = await T.locator('.fc-timegrid-event-harness', { hasText: 'Эссе и порядок' }).evaluateAll((els) => els.map((e) => e.getBoundingClientRect().height))
    if (heights.some((h) => h > 60)) throw new Error(`the quiz window covers hours in the week: ${heights}`)
    await shot(T, 'schedule-week-ru')
  })
  await step('the server sends the UI compressed and cacheable: index.html revalidated with an ETag, hashed assets immutable and brotli-encoded; the first load of the dashboard is measured (#16)', [], async () => {
    // A browser profile of its own: an empty cache, as a new visitor has.
    const { ctx, page } = await open('first-load')
    const cdp = await ctx.newCDPSession(page)
    await cdp.send('Network.enable')
    let wire = 0
    let decoded = 0
    const sizes = new Map()
    cdp.on('Network.dataReceived', (e) => sizes.set(e.requestId, (sizes.get(e.requestId) ?? 0) + e.dataLength))
    cdp.on('Network.loadingFinished', (e) => {
      wire += e.encodedDataLength
      decoded += sizes.get(e.requestId) ?? 0
    })
    const seen = []
    page.on('response', (r) => {
      const url = new URL(r.url())
      if (url.origin === new URL(base).origin && !url.pathname.startsWith('/api/')) seen.push({ path: url.pathname, status: r.status(), h: r.headers() })
    })
    await login(page, STUDENT)
    await page.waitForSelector('[data-test=empty-courses], .progress')
    await page.waitForLoadState('networkidle')
    const doc = seen.find((r) => r.path === '/login' || r.path === '/')
    if (!doc) throw new Error(`no document response among ${seen.map((r) => r.path)}`)
    if (doc.h['cache-control'] !== 'no-cache' || !doc.h.etag) throw new Error(`index.html: cache-control ${doc.h['cache-control']}, etag ${doc.h.etag}`)
    const assets = seen.filter((r) => /^\/assets\/.+\.(js|css)$/.test(r.path))
    if (assets.length < 2) throw new Error(`too few assets loaded: ${seen.map((r) => r.path)}`)
    for (const a of assets) {
      if (a.h['cache-control'] !== 'public, max-age=31536000, immutable') throw new Error(`${a.path}: cache-control ${a.h['cache-control']}`)
      if (!a.h.etag) throw new Error(`${a.path}: no ETag`)
    }
    const big = assets.filter((a) => Number(a.h['content-length'] ?? 2000) > 1024 || a.h['content-encoding'])
    const plain = big.filter((a) => a.h['content-encoding'] !== 'br')
    if (plain.length) throw new Error(`not brotli-encoded: ${plain.map((a) => `${a.path} (${a.h['content-encoding'] ?? 'identity'})`)}`)
    console.log(`# first load of the dashboard (login page, log in, dashboard): ${seen.length} UI files, ${(wire / 1024).toFixed(1)} KiB over the wire, ${(decoded / 1024).toFixed(1)} KiB decoded (API calls included)`)
    // A reload revalidates index.html only; the immutable assets come from the cache.
    await page.reload()
    await page.waitForSelector('[data-test=empty-courses], .progress')
    await page.waitForLoadState('networkidle')
    const refetched = await page.evaluate(() =>
      performance.getEntriesByType('resource').filter((e) => new URL(e.name).pathname.startsWith('/assets/') && e.transferSize > 0).map((e) => new URL(e.name).pathname),
    )
    if (refetched.length) throw new Error(`assets fetched again on reload: ${refetched}`)
    await ctx.close()
    pages.splice(pages.indexOf(page), 1)
  })
  await step('student logs in; the dashboard says how to join a course', [], async () => {
    await login(S, STUDENT)
    // A fresh student has no course yet: the dashboard says how to join one.
    await S.waitForSelector('[data-test=empty-courses], .progress')
    await shot(S, 'dashboard-before-ru')
    state.student = true
  })
  await step('menus and pages by role: no student pages for the teacher, no grading queue for the student (#13)', ['teacher', 'student'], async () => {
    await T.goto('/')
    await T.waitForSelector('[data-test=nav-grading]')
    for (const item of ['nav-achievements', 'nav-homework'])
      if (await T.locator(`[data-test=${item}]`).count()) throw new Error(`the teacher's menu has ${item}`)
    await T.goto('/achievements')
    await T.waitForURL((u) => new URL(u).pathname === '/')
    await T.goto('/homework')
    await T.waitForURL(/\/grading$/)
    await T.goto('/')
    await S.goto('/')
    await S.waitForSelector('[data-test=nav-achievements]')
    await S.waitForSelector('[data-test=nav-homework]')
    if (await S.locator('[data-test=nav-grading]').count()) throw new Error("the student's menu has the grading queue")
  })
  await step('a wrong invite code shows a readable error', ['student'], async () => {
    await S.click('[data-test=nav-courses]')
    await S.fill('[data-test=join-code]', 'ZZZZ9999')
    await S.click('[data-test=join-submit]')
    const err = await text(S, '[data-test=join-error]')
    if (!err.trim() || /^\{/.test(err)) throw new Error(`bad error: ${err}`)
  })
  await step('student joins by invite code', ['student', 'code'], async () => {
    await S.goto('/courses')
    await S.fill('[data-test=join-code]', state.code)
    await S.click('[data-test=join-submit]')
    await S.waitForSelector('[data-test=course-heading]')
    state.joined = true
  })
  await step('the teacher attaches a PDF to the homework; the student downloads it from the assignment page (#17)', ['joined', 'assignmentUrl'], async () => {
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n')
    await T.goto(state.assignmentUrl + '/edit')
    await T.waitForSelector('[data-test=hw-file]')
    await T.setInputFiles('[data-test=hw-file]', { name: 'задачи.pdf', mimeType: 'application/pdf', buffer: pdf })
    await T.waitForSelector('[data-test=hw-attachment]:has-text("задачи.pdf")')
    await T.click('[data-test=hw-save]')
    await T.waitForURL((u) => !u.pathname.endsWith('/edit'))
    await S.goto(state.assignmentUrl)
    const link = S.locator('[data-test=hw-file-link]', { hasText: 'задачи.pdf' })
    await link.waitFor()
    const res = await S.request.get(await link.getAttribute('href'))
    if (!res.ok()) throw new Error(`download: ${res.status()}`)
    if (!(await res.body()).equals(pdf)) throw new Error('the downloaded file differs')
  })
  await step("the student's course card shows the chosen cover and the progress (#13)", ['joined', 'cover'], async () => {
    await S.goto('/courses')
    const card = S.locator('[data-test=course-card]', { hasText: 'Алгебра 9' }).first()
    await card.waitFor()
    const cover = await card.locator('[data-test=course-cover]').getAttribute('data-cover')
    if (cover !== state.cover) throw new Error(`the card shows the ${cover} cover`)
    await card.locator('[data-test=card-progress]').waitFor()
    if (!/Пройдено\s*\d+\u00a0%/.test(await card.locator('[data-test=card-progress]').innerText())) throw new Error(`card progress: ${await card.locator('[data-test=card-progress]').innerText()}`)
    await shot(S, 'courses-student-ru')
  })
  await step('"continue where you stopped": the dashboard and the course page lead to the next lesson, opened lessons are ticked (#13)', ['joined', 'lessonUrl'], async () => {
    try {
      await continueWhereStopped()
    } finally {
      // The next step starts on the course page.
      if (new URL(S.url()).pathname !== state.courseUrl) await S.goto(state.courseUrl).catch(() => {})
    }
  })
  async function continueWhereStopped() {
    await S.goto('/')
    // The demo student may have other courses: this course's card.
    const onDashboard = S.locator(`[data-test=continue-course][data-course="${state.courseId}"]`)
    await onDashboard.waitFor()
    if ((await onDashboard.getAttribute('href')) !== state.lessonUrl) throw new Error(`dashboard continues at ${await onDashboard.getAttribute('href')}`)
    await S.goto(state.courseUrl)
    const done = S.locator('[data-test=lesson-progress-text]')
    await done.waitFor()
    if ((await done.innerText()).trim() !== 'Пройдено 0 из 1 урока') throw new Error(`progress before: ${await done.innerText()}`)
    if (await S.locator('[data-test=lesson-viewed]').count()) throw new Error('an unopened lesson is ticked')
    const go = S.locator('[data-test=continue-lesson]')
    if ((await go.innerText()).trim() !== 'Продолжить: Квадратные уравнения') throw new Error(`button: ${await go.innerText()}`)
    await go.click()
    await S.waitForURL((u) => new URL(u).pathname === state.lessonUrl)
    await S.waitForSelector('[data-test=lesson-body]')
    await S.goto(state.courseUrl)
    await S.waitForSelector('[data-test=all-lessons-done]')
    if ((await done.innerText()).trim() !== 'Пройдено 1 из 1 урока') throw new Error(`progress after: ${await done.innerText()}`)
    if (!(await S.locator('[data-test=lesson-row]', { hasText: 'Квадратные уравнения' }).locator('[data-test=lesson-viewed]').count())) throw new Error('the opened lesson has no tick')
    await shot(S, 'course-student-ru')
  }
  await step('student reads the lesson with its rich text (and downloads its attachment)', ['joined', 'lessonUrl'], async () => {
    await S.locator('[data-test=lesson-row] a', { hasText: 'Квадратные уравнения' }).click()
    await S.waitForSelector('[data-test=lesson-body] h2')
    const html = await S.locator('[data-test=lesson-body]').innerHTML()
    if (!html.includes('<strong>Дискриминант</strong>')) throw new Error('formatting missing')
    if (state.lessonFile) {
      const href = await S.locator('a:has-text("formulas.txt")').getAttribute('href')
      const res = await S.request.get(href)
      if (!res.ok() || !(await res.text()).includes('4ac')) throw new Error(`attachment download: ${res.status()}`)
    }
    await shot(S, 'lesson-student-ru')
  })
  await step('a teacher embeds a Rutube video from its page link and writes a formula; the student sees the player and the typeset formula; a link to another site is refused with a message (#17)', ['joined', 'lessonUrl'], async () => {
    const ed = '[data-test=lesson-editor]'
    await T.goto(state.lessonUrl + '/edit')
    await T.waitForSelector(`${ed} .ql-editor h2`)
    await T.click(`${ed} .ql-editor`)
    await T.keyboard.press('Control+End')
    // A link to elsewhere: refused with a message, no player.
    await T.click(`${ed} button.ql-video`)
    const tip = T.locator(`${ed} .ql-tooltip.ql-editing`)
    await tip.waitFor()
    const says = await tip.evaluate((el) => getComputedStyle(el, '::before').content)
    if (says !== '"Ссылка на видео:"') throw new Error(`the video box says ${says}`)
    await tip.locator('input[type=text]').fill('https://evil.example/watch?v=1')
    await tip.locator('input[type=text]').press('Enter')
    await T.waitForSelector('.toast, [data-test=toast]', { timeout: 5000 }).catch(() => {})
    const toastText = await T.locator('body').innerText()
    if (!toastText.includes('не ведёт на видео')) throw new Error('no message for a link to another site')
    await T.keyboard.press('Control+z')
    await T.click(`${ed} .ql-editor`)
    await T.keyboard.press('Control+End')
    await T.click(`${ed} button.ql-video`)
    await tip.waitFor()
    await tip.locator('input[type=text]').fill('https://rutube.ru/video/c6cc4d620b1d4338901770a44b3e82f4/')
    await tip.locator('input[type=text]').press('Enter')
    await T.waitForSelector(`${ed} iframe.ql-video[src="https://rutube.ru/play/embed/c6cc4d620b1d4338901770a44b3e82f4"]`)
    // A formula: LaTeX in the formula box, typeset in the editor.
    await T.click(`${ed} .ql-editor`)
    await T.keyboard.press('Control+End')
    await T.click(`${ed} button.ql-formula`)
    await tip.waitFor()
    await tip.locator('input[type=text]').fill('x_{1,2} = \\frac{-b \\pm \\sqrt{D}}{2a}')
    await tip.locator('input[type=text]').press('Enter')
    await T.waitForSelector(`${ed} .ql-editor span.ql-formula .katex`)
    await T.click('[data-test=lesson-save]')
    await T.waitForSelector('[data-test=lesson-body]', { timeout: 15000 }).catch(() => {})
    await S.goto(state.lessonUrl)
    const player = S.locator('[data-test=lesson-body] iframe.ql-video')
    await player.waitFor()
    const src = await player.getAttribute('src')
    if (src !== 'https://rutube.ru/play/embed/c6cc4d620b1d4338901770a44b3e82f4') throw new Error(`player src ${src}`)
    if ((await S.locator('[data-test=lesson-body] iframe').count()) !== 1) throw new Error('a player for the refused link was kept')
    // Ctrl+Z after the refused link undid only that: the lesson's text is all there.
    if (!(await S.locator('[data-test=lesson-body] h2').count()) || !(await S.locator('[data-test=lesson-body] strong', { hasText: 'Дискриминант' }).count())) throw new Error('the lesson lost its text')
    const formula = S.locator('[data-test=lesson-body] span.ql-formula')
    await formula.locator('.katex').waitFor()
    if ((await formula.locator('annotation').textContent()) !== 'x_{1,2} = \\frac{-b \\pm \\sqrt{D}}{2a}') throw new Error(`formula source: ${await formula.locator('annotation').textContent()}`)
    await shot(S, 'lesson-video-formula-ru')
    const box = await player.boundingBox()
    if (!box || box.width < 200 || Math.abs(box.width / box.height - 16 / 9) > 0.05) throw new Error(`the player is not 16:9 at the text's width: ${JSON.stringify(box)}`)
  })
  await step('a teacher pastes a screenshot into a new lesson before its first save, adds a Rutube video, a formula and a PDF; the student sees the picture loaded, the player, the typeset formula and downloads the PDF (#17)', ['joined', 'courseId'], async () => {
    const ed = '[data-test=lesson-editor]'
    await T.goto(`/courses/${state.courseId}/lessons/new`)
    await T.fill('[data-test=lesson-title-input]', 'Площадь круга')
    await quillType(T, 'lesson-editor', () => T.keyboard.type('Посмотрите на рисунок: '))
    const imageSrc = await pastePicture(T, ed)
    await T.click(`${ed} .ql-editor`)
    await T.keyboard.press('Control+End')
    await T.click(`${ed} button.ql-video`)
    const tip = T.locator(`${ed} .ql-tooltip.ql-editing`)
    await tip.waitFor()
    await tip.locator('input[type=text]').fill('https://rutube.ru/video/c6cc4d620b1d4338901770a44b3e82f4/')
    await tip.locator('input[type=text]').press('Enter')
    await T.waitForSelector(`${ed} iframe.ql-video`)
    await addFormula(T, ed, 'S = \\pi r^2')
    // A file attached before the first save too.
    await T.setInputFiles('[data-test=lesson-file]', { name: 'задачи.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4 circle tasks\n') })
    await T.waitForSelector('[data-test=attachment]:has-text("задачи.pdf")', { timeout: 10000 })
    await T.click('[data-test=lesson-save]')
    await T.waitForSelector('[data-test=lesson-body]')
    const lessonUrl = new URL(T.url()).pathname

    await S.goto(lessonUrl)
    await S.locator(`[data-test=lesson-body] img[src="${imageSrc}"]`).waitFor()
    await pictureLoads(S, '[data-test=lesson-body]', imageSrc)
    if (!(await S.locator('[data-test=lesson-body] iframe.ql-video[src^="https://rutube.ru/play/embed/"]').count())) throw new Error('no player')
    const formula = S.locator('[data-test=lesson-body] span.ql-formula')
    await formula.locator('.katex').waitFor()
    if ((await formula.locator('annotation').textContent()) !== 'S = \\pi r^2') throw new Error('formula source changed')
    const href = await S.locator('a:has-text("задачи.pdf")').getAttribute('href')
    const res = await S.request.get(href)
    if (!res.ok() || !(await res.text()).startsWith('%PDF-1.4 circle tasks')) throw new Error(`PDF download: ${res.status()}`)
    await shot(S, 'lesson-pasted-picture-ru')
  })
  await step('a draft lesson is for staff only until the teacher publishes it; students see no course status badge (#13)', ['joined', 'courseId'], async () => {
    await T.goto(`/courses/${state.courseId}/lessons/new`)
    await T.fill('[data-test=lesson-title-input]', 'Разбор задач')
    await quillType(T, 'lesson-editor', () => T.keyboard.type('Задачи на теорему Виета.'))
    await T.uncheck('[data-test=lesson-published]')
    if (!/Черновик/.test(await text(T, '[data-test=lesson-state]'))) throw new Error('the editor does not say the lesson is a draft')
    await T.click('[data-test=lesson-save]')
    await T.waitForSelector('[data-test=lesson-body]')
    await T.waitForSelector('[data-test=lesson-draft]')
    const draftUrl = new URL(T.url()).pathname
    await T.goto(state.courseUrl)
    const row = T.locator('[data-test=lesson-row]', { hasText: 'Разбор задач' })
    await row.waitFor()
    if (!(await row.locator('[data-test=lesson-draft]').count())) throw new Error('the course page shows no draft badge to the teacher')
    await shot(T, 'lesson-draft-teacher-ru')

    await S.goto(state.courseUrl)
    await S.waitForSelector('[data-test=lesson-row]')
    if (await S.locator('[data-test=lesson-row]', { hasText: 'Разбор задач' }).count()) throw new Error('the student sees the draft in the lesson list')
    if (await S.locator('[data-test=course-status]').count()) throw new Error('the student sees the course status badge')
    if (/опубликован/i.test(await S.locator('main').innerText())) throw new Error('the student sees «опубликован» on the course page')
    await S.goto('/courses')
    await S.waitForSelector('[data-test=course-card]')
    if (await S.locator('[data-test=course-status]').count()) throw new Error('the student sees a status badge in the course list')
    await S.goto(draftUrl)
    await S.waitForSelector('[data-test=error]')
    if (await S.locator('[data-test=lesson-body]').count()) throw new Error('the student opened the draft by its address')

    // The teacher publishes it from the lesson page's edit button.
    await T.goto(draftUrl)
    await T.click('[data-test=edit-lesson]')
    await T.waitForURL((u) => new URL(u).pathname === draftUrl + '/edit')
    await T.waitForFunction(() => document.querySelector('[data-test=lesson-title-input]')?.value === 'Разбор задач')
    await T.check('[data-test=lesson-published]')
    await T.click('[data-test=lesson-save]')
    await T.waitForURL((u) => new URL(u).pathname === draftUrl)
    await T.waitForSelector('[data-test=lesson-body]')
    if (await T.locator('[data-test=lesson-draft]').count()) throw new Error('the published lesson still says draft')

    await S.goto(state.courseUrl)
    await S.locator('[data-test=lesson-row] a', { hasText: 'Разбор задач' }).click()
    await S.waitForSelector('[data-test=lesson-body]')
    if (!/Виета/.test(await text(S, '[data-test=lesson-body]'))) throw new Error('the published lesson has no body for the student')
    if (await S.locator('[data-test=edit-lesson]').count()) throw new Error('the student sees the edit button')
  })
  await step('"what to do next" on the student dashboard lists the new assignment and leads to it (#13)', ['joined', 'assignmentUrl'], async () => {
    await S.goto('/')
    const item = S.locator('[data-test=next-step]', { hasText: 'Решить 5 уравнений' }).first()
    await item.waitFor()
    if ((await item.getAttribute('data-kind')) !== 'deadline') throw new Error(`step kind: ${await item.getAttribute('data-kind')}`)
    if (!/Сдать задание: Решить 5 уравнений/.test(await item.innerText())) throw new Error(`step text: ${await item.innerText()}`)
    await item.locator('a').click()
    await S.waitForURL((u) => new URL(u).pathname === state.assignmentUrl)
  })
  await step('student uploads a file with a progress bar', ['joined', 'assignmentUrl'], async () => {
    await S.goto(state.assignmentUrl)
    await S.waitForSelector('[data-test=file-input]')
    await S.setInputFiles('[data-test=file-input]', { name: 'solution.txt', mimeType: 'text/plain', buffer: Buffer.from('x1 = 2, x2 = 3\n'.repeat(2000)) })
    await S.waitForSelector('[data-test=upload-item] .progress-bar.bg-success, [data-test=upload-item] .progress-bar.bg-danger')
    if (await S.locator('[data-test=upload-item] .bg-danger').count()) throw new Error(`upload failed: ${await text(S, '[data-test=upload-item]')}`)
    state.uploaded = true
  })
  await step('student hands in homework', ['joined', 'assignmentUrl'], async () => {
    if (!S.url().endsWith(state.assignmentUrl)) await S.goto(state.assignmentUrl)
    if (!state.uploaded) {
      // Without file uploads, hand in text only (the failed file is dropped).
      await S.reload()
    }
    await quillType(S, 'handin-editor', () => S.keyboard.type('x₁ = 2, x₂ = 3. Решение во вложении.'))
    await S.click('[data-test=handin-submit]')
    await S.waitForSelector('[data-test=version]', { timeout: 10000 }).catch(async () => {
      throw new Error(await S.locator('[data-test=handin-error]').innerText().catch(() => 'no version shown'))
    })
    if (state.uploaded && !(await S.locator('[data-test=version] a', { hasText: 'solution.txt' }).count())) throw new Error('the uploaded file is not in the hand-in')
    await shot(S, 'assignment-student-ru')
    state.handedIn = true
  })
  await step('after a hand-in the page says «Сдано» with the version; a new version is a secondary action starting from the last text (#13)', ['handedIn'], async () => {
    const card = S.locator('[data-test=handed-in]')
    await card.waitFor()
    const said = (await card.innerText()).replace(/\s+/g, ' ')
    if (!/Сдано/.test(said) || !/Версия 1 ·/.test(said) || !/Решение во вложении/.test(said)) throw new Error(`hand-in card: ${said}`)
    if (await S.locator('[data-test=handin-submit]').count()) throw new Error('an empty editor is offered at once')
    if (/Сдать заново/.test(await S.locator('main').innerText())) throw new Error('«Сдать заново» is offered at once')
    await S.click('[data-test=new-version]')
    const editor = S.locator('[data-test=handin-editor] .ql-editor')
    await editor.waitFor()
    if (!/Решение во вложении/.test(await editor.innerText())) throw new Error(`the new version starts from: ${await editor.innerText()}`)
    await S.click('[data-test=new-version-cancel]')
    await S.waitForSelector('[data-test=handin-editor]', { state: 'detached' })
  })
  await step('student homework list shows the status and due date', ['handedIn'], async () => {
    await S.click('[data-test=nav-homework]')
    const row = await S.locator('[data-test=homework-row]', { hasText: 'Решить 5 уравнений' }).first().innerText()
    if (!/сдано/.test(row)) throw new Error(`row: ${row}`)
    await shot(S, 'homework-ru')
  })
  await step('student starts the quiz and sees a countdown', ['joined', 'quizId'], async () => {
    await S.goto(`/quizzes/${state.quizId}`)
    await S.click('[data-test=start-attempt]')
    await S.waitForSelector('[data-test=countdown]')
    const c = await text(S, '[data-test=countdown]')
    if (!/(29|30):\d\d/.test(c)) throw new Error(`countdown: ${c}`)
    state.attemptUrl = new URL(S.url()).pathname
    // An option's formula is typeset for the student (#17).
    const optionFormula = S.locator('[data-test=question]', { hasText: 'Сколько корней' }).locator('label span.ql-formula')
    await optionFormula.locator('.katex').waitFor()
    if ((await optionFormula.locator('annotation').textContent()) !== 'D < 0') throw new Error('the option formula changed')
    // The question with a picture and a formula (#17): both shown.
    if (state.quizPicture) {
      const q = S.locator('[data-test=question]', { hasText: 'действительных корней нет' })
      await q.locator('span.ql-formula .katex').waitFor()
      if ((await q.locator('span.ql-formula annotation').textContent()) !== 'D = b^2 - 4ac') throw new Error('the prompt formula changed')
      await pictureLoads(S, '[data-test=question]', state.quizPicture)
      await shot(S, 'quiz-question-picture-formula-ru')
    }
  })
  const card = (prompt) => S.locator('[data-test=question]', { hasText: prompt })
  await step('an answer is autosaved ("saved" shown) and survives a reload', ['attemptUrl'], async () => {
    await card('Сколько корней').getByLabel('Два').check()
    await S.waitForFunction(() => /Сохранено/.test(document.querySelector('[data-test=save-state]')?.textContent ?? ''))
    await shot(S, 'quiz-attempt-ru')
    await S.reload()
    await S.waitForSelector('[data-test=question]')
    if (!(await card('Сколько корней').getByLabel('Два').isChecked())) throw new Error('answer lost after reload')
    state.autosaved = true
  })
  await step('student answers every kind and finishes through a dialog that counts the answers; the review shows the score', ['attemptUrl'], async () => {
    // One wrong choice and half of the multiple choice, for the review step.
    await card('Сколько корней').getByLabel('Один').check()
    const mc = card('x² − 5x + 6')
    await mc.getByLabel('2', { exact: true }).check()
    if (await mc.getByLabel('3', { exact: true }).isChecked()) await mc.getByLabel('3', { exact: true }).uncheck()
    await card('действительных корней нет').locator('[data-test=tf-true]').click()
    await card('b² − 4ac').locator('[data-test=short-text]').fill('Дискриминант')
    await card('x² − 4x + 4').locator('[data-test=numeric]').fill('0')
    const m = card('Сопоставьте')
    await m.locator('.row', { hasText: 'D > 0' }).locator('select').selectOption({ label: 'два корня' })
    await m.locator('.row', { hasText: 'D = 0' }).locator('select').selectOption({ label: 'один корень' })
    await S.waitForFunction(() => /Сохранено/.test(document.querySelector('[data-test=save-state]')?.textContent ?? ''))
    await S.click('[data-test=submit-attempt]')
    const dialog = S.locator('[data-test=confirm-dialog]')
    await dialog.waitFor()
    const said = (await dialog.innerText()).replace(/\s+/g, ' ')
    if (!said.includes('Завершить тест? Отвечено 6 из 6.')) throw new Error(`dialog says: ${said}`)
    await S.click('[data-test=confirm-ok]')
    await S.waitForURL(/\/review$/)
    const score = await text(S, '[data-test=attempt-score]')
    // 0 + 0,5 + 1 + 1 + 1 + 1, with the Russian decimal comma.
    if (!/4,5 \/ 6/.test(score)) throw new Error(`score: ${score}`)
    await shot(S, 'quiz-review-ru')
    state.quizDone = true
  })
  await step('the review marks the chosen wrong option and the right one in words (#13)', ['quizDone'], async () => {
    const item = (prompt) => S.locator('[data-test=review-item]', { hasText: prompt })
    const one = item('Сколько корней')
    const wrong = one.locator('[data-mark=chosen_wrong]')
    const wrongText = await wrong.innerText()
    if (!/Один/.test(wrongText) || !/Ваш ответ/.test(wrongText) || !/✗/.test(wrongText)) throw new Error(`chosen wrong option: ${wrongText}`)
    if (!/border-danger/.test((await wrong.getAttribute('class')) ?? '')) throw new Error('the chosen wrong option is not red')
    const right = await one.locator('[data-mark=missed]').innerText()
    if (!/Два/.test(right) || !/Верный ответ/.test(right)) throw new Error(`right option: ${right}`)
    const verdict = one.locator('[data-test=item-verdict]')
    if ((await verdict.getAttribute('data-verdict')) !== 'wrong' || /text-bg-warning/.test((await verdict.getAttribute('class')) ?? '')) throw new Error(`verdict badge: ${await verdict.getAttribute('class')}`)
    const mc = item('x² − 5x + 6')
    if (!/Ваш ответ/.test(await mc.locator('[data-mark=chosen_correct]').innerText())) throw new Error('the chosen right option is not marked')
    if (!/0,5 \/ 1/.test(await mc.locator('[data-test=item-verdict]').innerText())) throw new Error('partial points without a decimal comma')
  })
  // The question bank: a GIFT file imported with a preview, a quiz that draws
  // 5 of its 20 questions for each student, and the item analysis.
  const BANK_CATEGORY = 'ЕГЭ/Задание 1'
  const bankCount = (page) =>
    page.evaluate((p) => {
      const el = [...document.querySelectorAll('[data-test=bank-category]')].find((e) => e.getAttribute('data-path') === p)
      return el ? Number(el.querySelector('[data-test=bank-category-count]')?.textContent?.trim()) : 0
    }, BANK_CATEGORY)
  await step(`the teacher imports a GIFT file of 20 questions into a course's bank: «Проверить» lists 20 questions and no problems, «Импортировать 20 вопросов» puts them into «${BANK_CATEGORY}»`, ['teacher'], async () => {
    // The demo school's first course (both demo students are enrolled), else another course the teacher runs.
    const views = (await (await T.request.get('/api/v1/courses')).json()).filter((v) => v.can_manage && v.course.status === 'published')
    const view = views.find((v) => v.course.id !== state.courseId && /Математика/.test(v.course.title)) ?? views.find((v) => v.course.id !== state.courseId) ?? views[0]
    if (!view) throw new Error('the teacher runs no published course')
    const gift = await readFile(path.resolve('..', 'lms-core/src/bank/format/samples/twenty.gift'), 'utf8')
    await T.goto(`/courses/${view.course.id}`)
    await T.click('[data-test=to-bank]')
    await T.waitForURL(/\/bank$/)
    await T.waitForSelector('[data-test=bank-categories]')
    const before = await bankCount(T)
    await T.click('[data-test=bank-import-open]')
    await T.selectOption('[data-test=import-format]', 'gift')
    await T.fill('[data-test=import-text]', gift)
    await T.click('[data-test=import-check]')
    await T.waitForSelector('[data-test=import-report][data-written=false]', { timeout: 15000 }).catch(async () => {
      throw new Error(`no preview: ${await T.locator('[data-test=import-error]').innerText().catch(() => '?')}`)
    })
    const rows = await T.locator('[data-test=preview-row]').count()
    const issues = (await text(T, '[data-test=issue-count]')).trim()
    if (rows !== 20 || issues !== '0') throw new Error(`the preview lists ${rows} questions and ${issues} problems: ${(await T.locator('[data-test=import-issue]').allInnerTexts()).join(' / ')}`)
    const categories = new Set(await T.locator('[data-test=preview-row] td:nth-child(2)').allInnerTexts())
    if (categories.size !== 1 || !categories.has(BANK_CATEGORY)) throw new Error(`preview categories: ${[...categories].join(', ')}`)
    const run = (await text(T, '[data-test=import-run]')).trim()
    if (run !== 'Импортировать 20 вопросов') throw new Error(`the import button says «${run}»`)
    await shot(T, 'bank-import-preview-ru')
    await T.click('[data-test=import-run]')
    await T.waitForSelector('[data-test=import-report][data-written=true]')
    await T.waitForSelector('[data-test=toast]:has-text("Импортировано вопросов: 20")')
    await T.waitForFunction(
      ({ p, n }) => {
        const el = [...document.querySelectorAll('[data-test=bank-category]')].find((e) => e.getAttribute('data-path') === p)
        return Number(el?.querySelector('[data-test=bank-category-count]')?.textContent?.trim()) === n
      },
      { p: BANK_CATEGORY, n: before + 20 },
    ).catch(async () => {
      throw new Error(`«${BANK_CATEGORY}» holds ${await bankCount(T)} questions, not ${before + 20}`)
    })
    // Its parent «ЕГЭ» is in the list, the category indented under it; a click lists its questions.
    await T.click(`[data-test=bank-category][data-path="${BANK_CATEGORY}"]`)
    await T.waitForFunction((n) => document.querySelectorAll('[data-test=bank-question]').length === n, Math.min(50, before + 20))
    if (!(await T.locator('[data-test=bank-category][data-path="ЕГЭ"]').count())) throw new Error('the parent category «ЕГЭ» is not listed')
    await shot(T, 'bank-ru')
    state.bankCourse = { id: view.course.id, code: view.course.invite_code, size: before + 20 }
  })
  await step(`the teacher builds a quiz drawing 5 questions at random from «${BANK_CATEGORY}» (too many to draw is refused in words) and publishes it`, ['bankCourse'], async () => {
    const { id, size } = state.bankCourse
    await T.goto(`/courses/${id}/quizzes/new`)
    await T.fill('[data-test=quiz-title-input]', 'Разминка: задание 1 ЕГЭ')
    await T.click('[data-test=quiz-save]')
    await T.waitForURL(/\/quizzes\/.+\/build/)
    const quizId = T.url().split('/quizzes/')[1].split('/')[0]
    await T.click('[data-test=add-mode-random]')
    await T.waitForSelector(`[data-test=slot-category] option[value="${BANK_CATEGORY}"]`, { state: 'attached' })
    await T.selectOption('[data-test=slot-category]', BANK_CATEGORY)
    // More than the category holds: the server's reason, in words, next to the form.
    await T.fill('[data-test=slot-count]', String(size + 5))
    await T.click('[data-test=slot-save]')
    const refused = (await text(T, '[data-test=slot-error]')).trim()
    if (!refused.includes(`Вопросов в наборе: ${size}`) || !refused.includes(`(${size + 5})`)) throw new Error(`too many to draw: «${refused}»`)
    await T.fill('[data-test=slot-count]', '5')
    await T.fill('[data-test=slot-points]', '1')
    await T.click('[data-test=slot-save]')
    await T.waitForSelector('[data-test=slot-label]')
    const label = (await text(T, '[data-test=slot-label]')).trim()
    if (label !== `Случайно: 5 из «${BANK_CATEGORY}»`) throw new Error(`the slot reads «${label}»`)
    await T.click('[data-test=quiz-publish]')
    await T.waitForSelector('[data-test=toast]:has-text("Тест опубликован")')
    await shot(T, 'quiz-builder-random-ru')
    // The quiz counts the slot as its 5 questions.
    await T.goto(`/quizzes/${quizId}`)
    await T.waitForSelector('[data-test=quiz-title]')
    if (!(await T.locator('li', { hasText: 'вопросов: 5' }).count())) throw new Error('the quiz does not say it has 5 questions')
    state.bankQuizId = quizId
  })
  await step('two students each get 5 of the 20 questions: different sets, the same 5 in the same order after a reload; both finish', ['bankQuizId', 'student'], async () => {
    const { id, code } = state.bankCourse
    const second = process.env.LMS_E2E_STUDENT2 || STUDENT.replace(/^student1@/, 'student2@')
    if (second === STUDENT) throw new Error('no second student: set LMS_E2E_STUDENT2 (student2@demo.school in the demo school)')
    const other = await open('student2')
    const sets = []
    try {
      await login(other.page, second)
      for (const P of [S, other.page]) {
        // Both demo students are enrolled in the course; anyone else joins with its code.
        const mine = (await (await P.request.get('/api/v1/courses')).json()).map((v) => v.course.id)
        if (!mine.includes(id)) {
          if (!code) throw new Error('a student is not enrolled in the course, which has no invite code')
          await P.goto('/courses')
          await P.fill('[data-test=join-code]', code)
          await P.click('[data-test=join-submit]')
          await P.waitForSelector('[data-test=course-heading]')
        }
        await P.evaluate(() => localStorage.setItem('lms.quiz.all', '1'))
        await P.goto(`/quizzes/${state.bankQuizId}`)
        await P.click('[data-test=start-attempt]')
        await P.waitForURL(/\/attempts\/[^/]+$/)
        await P.waitForSelector('[data-test=question]')
        const prompts = async () => (await P.locator('[data-test=question] .rich').allInnerTexts()).map((s) => s.replace(/\s+/g, ' ').trim())
        const drawn = await prompts()
        if (drawn.length !== 5 || new Set(drawn).size !== 5) throw new Error(`drawn: ${JSON.stringify(drawn)}`)
        await P.reload()
        await P.waitForSelector('[data-test=question]')
        const again = await prompts()
        if (again.join('\n') !== drawn.join('\n')) throw new Error(`after a reload: ${JSON.stringify(again)}, before: ${JSON.stringify(drawn)}`)
        if (P === S) await shot(P, 'quiz-attempt-random-ru')
        // Something for the first question, whatever its kind.
        const q = P.locator('[data-test=question]').first()
        const kind = await q.locator('[data-kind]').getAttribute('data-kind')
        if (kind === 'single_choice') await q.locator('input[type=radio]').first().check()
        else if (kind === 'multiple_choice') await q.locator('input[type=checkbox]').first().check()
        else if (kind === 'true_false') await q.locator('[data-test=tf-true]').click()
        else if (kind === 'short_text') await q.locator('[data-test=short-text]').fill('сумма')
        else if (kind === 'numeric') await q.locator('[data-test=numeric]').fill('14')
        else if (kind === 'essay') await q.locator('[data-test=essay]').fill('Ответ')
        else if (kind === 'matching') await q.locator('select').first().selectOption({ index: 1 })
        if (kind !== 'ordering') await P.waitForFunction(() => /Сохранено/.test(document.querySelector('[data-test=save-state]')?.textContent ?? ''))
        await P.click('[data-test=submit-attempt]')
        await P.locator('[data-test=confirm-dialog]').waitFor()
        await P.click('[data-test=confirm-ok]')
        await P.waitForURL(/\/review$/)
        sets.push(drawn)
      }
    } finally {
      pages.splice(pages.indexOf(other.page), 1)
      await other.ctx.close()
    }
    const [a, b] = sets
    if (a.every((p) => b.includes(p))) throw new Error(`both students got the same questions: ${JSON.stringify(a)}`)
    state.bankDrawn = sets
  })
  await step('the teacher opens «Анализ вопросов» from the quiz: 2 attempts, a row for every question drawn, each counted over the attempts that got it', ['bankDrawn'], async () => {
    await T.goto(`/quizzes/${state.bankQuizId}`)
    await T.click('[data-test=to-analysis]')
    await T.waitForURL(/\/analysis$/)
    await T.waitForSelector('[data-test=analysis-table]')
    const attempts = (await text(T, '[data-test=analysis-card-attempts] [data-test=analysis-value]')).trim()
    if (attempts !== '2') throw new Error(`finished attempts: ${attempts}`)
    const rows = await T.locator('[data-test=analysis-row]').evaluateAll((rs) =>
      rs.map((r) => ({ prompt: r.querySelector('[data-test=analysis-prompt]').textContent.replace(/\s+/g, ' ').trim(), attempts: Number(r.getAttribute('data-attempts')) })),
    )
    const [a, b] = state.bankDrawn
    const union = new Set([...a, ...b])
    if (rows.length < 5 || rows.length !== union.size) throw new Error(`${rows.length} rows for ${union.size} questions drawn`)
    for (const r of rows) {
      const given = a.filter((p) => p.startsWith(r.prompt)).length + b.filter((p) => p.startsWith(r.prompt)).length
      if (!given || r.attempts !== given) throw new Error(`«${r.prompt}»: ${r.attempts} attempts, given in ${given}`)
    }
    if (rows.reduce((n, r) => n + r.attempts, 0) !== 10) throw new Error(`attempts per question: ${rows.map((r) => r.attempts).join(', ')}`)
    if ((await T.locator('[data-test=histogram-bin]').count()) !== 10) throw new Error('the histogram has not 10 bins')
    await T.click('[data-test=analysis-help] summary')
    await shot(T, 'quiz-analysis-ru')
    const download = T.waitForEvent('download')
    await T.click('[data-test=analysis-csv]')
    const csv = await readFile(await (await download).path(), 'utf8')
    const csvLines = csv.replace(/^\uFEFF/, '').split(/\r?\n/).filter(Boolean)
    if (!csvLines[0].startsWith('position,question_id,kind,prompt') || csvLines.length !== rows.length + 1) throw new Error(`the CSV: ${csv.slice(0, 200)}`)
  })
  await step('student sees the webinar in the calendar with a join button', ['joined', 'webinar'], async () => {
    await S.click('[data-test=nav-schedule]')
    await S.click('.fc-listMonth-button')
    let ev = S.locator('.fc-list-event', { hasText: 'Разбор задач' })
    if (!(await ev.count())) {
      await S.click('.fc-next-button')
      ev = S.locator('.fc-list-event', { hasText: 'Разбор задач' })
    }
    await ev.first().click()
    const href = await S.locator('[data-test=join-webinar]').getAttribute('href')
    if (!href || !href.startsWith('https://')) throw new Error(`join link: ${href}`)
    await S.click('.fc-dayGridMonth-button')
    await shot(S, 'schedule-ru')
  })

  await step('whose work: the teacher dashboard and the quiz attempts name the student; no «attempts left» for staff (#13)', ['handedIn'], async () => {
    const me = await (await S.request.get('/api/v1/auth/me')).json()
    await T.goto('/')
    const row = T.locator('[data-test=dashboard-queue-item]', { hasText: 'Решить 5 уравнений' }).first()
    await row.waitFor()
    const who = (await row.locator('[data-test=queue-student]').innerText()).trim()
    if (who !== me.display_name) throw new Error(`the dashboard names «${who}» for ${me.display_name}`)
    if (state.quizDone) {
      await T.goto(`/quizzes/${state.quizId}`)
      await T.waitForSelector('[data-test=attempt-row]')
      const names = (await T.locator('[data-test=attempt-student]').allInnerTexts()).map((n) => n.trim())
      if (!names.includes(me.display_name)) throw new Error(`attempts by: ${names.join(', ')}`)
      if (await T.locator('[data-test=attempts-left]').count()) throw new Error('the teacher is shown attempts left')
    }
  })
  await step('teacher grades the submission from the grading queue', ['handedIn'], async () => {
    await T.click('[data-test=nav-grading]')
    await T.locator('[data-test=queue-item]', { hasText: 'Решить 5 уравнений' }).first().click()
    await T.waitForSelector('[data-test=submission-version]')
    if (state.uploaded) {
      const href = await T.locator('[data-test=submission-version] a', { hasText: 'solution.txt' }).getAttribute('href')
      const res = await T.request.get(href)
      if (!res.ok() || !(await res.text()).includes('x2 = 3')) throw new Error(`teacher cannot download the hand-in: ${res.status()}`)
    }
    await shot(T, 'grading-ru')
    await T.fill('[data-test=grade-score]', '9.5')
    await quillType(T, 'grade-feedback', () => T.keyboard.type('Хорошо, но проверьте знак во втором корне.'))
    await T.click('[data-test=grade-submit]')
    await T.waitForFunction(() => /оценено/.test(document.body.innerText), null, { timeout: 10000 }).catch(async () => {
      throw new Error(await T.locator('[data-test=grade-error]').innerText().catch(() => 'grade not shown'))
    })
    state.graded = true
  })
  await step("the assignment's submissions are found by the student's name and by state; an extension goes to a student found by name (#14)", ['graded', 'assignmentUrl'], async () => {
    const me = await (await S.request.get('/api/v1/auth/me')).json()
    const first = me.display_name.split(' ')[0]
    await T.goto(state.assignmentUrl)
    await T.waitForSelector('[data-test=sub-row]')
    await T.fill('[data-test=subs-search]', first.toLowerCase())
    await T.waitForFunction((n) => [...document.querySelectorAll('[data-test=sub-student]')].every((e) => e.textContent.trim().startsWith(n)) && document.querySelectorAll('[data-test=sub-row]').length > 0, first)
    await T.selectOption('[data-test=subs-state]', 'graded')
    await T.locator('[data-test=sub-student]', { hasText: me.display_name }).first().waitFor()
    await T.selectOption('[data-test=subs-state]', 'returned_for_rework')
    await T.waitForSelector('[data-test=subs-empty]')
    await T.fill('[data-test=student-picker]', first.slice(0, 3))
    await T.locator(`[data-test=student-picker-hit][data-email="${me.email}"]`).click()
    await T.fill('[data-test=ext-due]', localIn({ days: 9 }))
    await T.click('[data-test=ext-grant]')
    await T.locator('[data-test=ext-row]', { hasText: me.display_name }).waitFor()
  })
  await step('a late grade: the penalty is shown while typing and what was stored after saving; the page stays (#13)', ['joined', 'courseId'], async () => {
    await T.goto(`/courses/${state.courseId}/assignments/new`)
    await T.fill('[data-test=hw-title]', 'Сдать с опозданием')
    await quillType(T, 'hw-editor', () => T.keyboard.type('Проверка штрафа.'))
    await T.fill('#ao', localIn({ days: -3 }))
    // Due 34 hours ago: two started days late, 20 % a day.
    await T.fill('[data-test=hw-due]', localIn({ days: -1, hours: -10 }))
    await T.fill('[data-test=hw-max]', '10')
    await T.check('#ap')
    await T.getByLabel('% в день').fill('20')
    await T.getByLabel('не ниже, %').fill('10')
    await T.click('[data-test=hw-save]')
    await T.waitForSelector('[data-test=assignment-title]')
    await T.waitForSelector('[data-test=toast]:has-text("Задание сохранено")')
    await S.goto(new URL(T.url()).pathname)
    await quillType(S, 'handin-editor', () => S.keyboard.type('Сдаю позже срока.'))
    await S.click('[data-test=handin-submit]')
    await S.waitForSelector('[data-test=toast]:has-text("Работа сдана: версия 1.")')
    await S.waitForSelector('[data-test=handed-in]')
    await T.goto('/grading')
    await T.locator('[data-test=queue-item]', { hasText: 'Сдать с опозданием' }).first().click()
    await T.waitForSelector('[data-test=grade-score]')
    const at = T.url()
    await T.fill('[data-test=grade-score]', '8')
    const preview = (await T.locator('[data-test=grade-preview]').innerText()).replace(/\s+/g, ' ').trim()
    if (preview !== 'Опоздание: 2 дн. Штраф: сохранится 60 % → 4,8 из 10') throw new Error(`preview: ${preview}`)
    await T.click('[data-test=grade-submit]')
    const saved = (await T.locator('[data-test=grade-saved]').innerText()).replace(/\s+/g, ' ')
    if (!saved.includes('Оценка сохранена: 4,8 из 10 (штраф за опоздание 40 %)')) throw new Error(`after saving: ${saved}`)
    if (T.url() !== at) throw new Error(`jumped on to ${T.url()}`)
    if (!(await T.locator('[data-test=next-after-save], [data-test=back-to-queue]').count())) throw new Error('no way on to the next work')
    await T.waitForSelector('[data-test=toast]:has-text("Оценка сохранена")')
    await shot(T, 'grading-late-ru')
  })
  await step('teacher dashboard and course statistics show the course', ['courseId'], async () => {
    await T.click('[data-test=nav-home]')
    await T.waitForSelector(`a[href="/courses/${state.courseId}"]`)
    await shot(T, 'dashboard-teacher-ru')
    await T.goto(`/courses/${state.courseId}/statistics`)
    await T.waitForSelector('.card .fs-3')
    // "Сдано вовремя" beside "Доля опозданий" contradicted each other: the rate counts late hand-ins too (#13).
    const rate = await text(T, '[data-test=stat-submission_rate]')
    if (/вовремя/i.test(rate) || !/включая сданные с опозданием/.test(rate)) throw new Error(`submission rate card: ${rate}`)
    const late = await text(T, '[data-test=stat-late_share]')
    if (!/от всех сданных/.test(late)) throw new Error(`late share card: ${late}`)
    await shot(T, 'statistics-ru')
  })
  await step('course statistics draw charts per assignment and quiz, loading Chart.js only there (#13)', ['graded'], async () => {
    // Another page first: the chart code is not fetched there.
    await T.goto(`/courses/${state.courseId}`)
    await T.waitForSelector('[data-test=course-heading]')
    const early = await T.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).filter((n) => /StatsChart|chart/i.test(n)))
    if (early.length) throw new Error(`chart code loaded on the course page: ${early.join(', ')}`)
    await T.goto(`/courses/${state.courseId}/statistics`)
    await T.waitForSelector('[data-test=chart-average] canvas')
    await T.waitForSelector('[data-test=chart-done] canvas')
    const heading = await text(T, '[data-test=stats-charts]')
    if (!/По заданиям и тестам/.test(heading) || !/Средний результат/.test(heading)) throw new Error(`chart titles: ${heading.slice(0, 200)}`)
    // The summary for screen readers has the item and a Russian percentage.
    const label = await T.locator('[data-test=chart-average] canvas').getAttribute('aria-label')
    if (!/Решить 5 уравнений \(домашнее задание\): \d+(,\d+)?\u00a0%/.test(label || '')) throw new Error(`average chart summary: ${label}`)
    const size = await T.locator('[data-test=chart-average] canvas').boundingBox()
    if (!size || size.width < 100 || size.height < 100) throw new Error(`chart canvas size: ${JSON.stringify(size)}`)
    // The numeric cards stay.
    if (!(await T.locator('[data-test=stat-hw_avg]').count())) throw new Error('the cards are gone')
    // Per item, from the server: hand-ins of the enrolled, the average and the late share.
    const row = T.locator('[data-test=stats-items] tbody tr', { hasText: 'Решить 5 уравнений' }).first()
    const handed = (await row.locator('[data-test=item-handed-in]').innerText()).trim()
    if (!/^[1-9]\d* \/ [1-9]\d*$/.test(handed)) throw new Error(`handed in: ${handed}`)
    const late = (await row.locator('[data-test=item-late]').innerText()).trim()
    if (!/^\d+(,\d+)?\u00a0%$/.test(late)) throw new Error(`late share: ${late}`)
    await shot(T, 'statistics-charts-ru')
  })
  await step('teacher sees the gradebook with a CSV download', ['graded'], async () => {
    await T.goto(`/courses/${state.courseId}/gradebook`)
    await T.waitForSelector('[data-test=gradebook-table]')
    // Totals, percent and a link from the graded cell to the work (#13).
    const total = await text(T, '[data-test=gradebook-total]')
    if (!/\d+(,\d+)? \/ \d+/.test(total)) throw new Error(`gradebook total: ${total}`)
    const pct = await text(T, '[data-test=gradebook-percent]')
    if (!/%/.test(pct)) throw new Error(`gradebook percent: ${pct}`)
    if (!(await T.locator('[data-test=gradebook-table] a[href^="/submissions/"]').count())) throw new Error('no cell links to its submission')
    const href = await T.locator('[data-test=gradebook-csv]').getAttribute('href')
    const res = await T.request.get(href)
    if (!res.ok() || !(res.headers()['content-type'] || '').includes('csv')) throw new Error(`csv: ${res.status()}`)
    await shot(T, 'gradebook-ru')
  })
  await step('student sees the grade and feedback', ['graded'], async () => {
    await S.goto(state.assignmentUrl)
    const g = await text(S, '[data-test=grade]')
    if (!/9,5 \/ 10/.test(g) || /9\.5/.test(g) || !/знак/.test(g)) throw new Error(`grade box: ${g}`)
  })
  await step('student sees a badge on the dashboard and the achievements page', ['handedIn'], async () => {
    await S.click('[data-test=nav-home]')
    await S.waitForSelector('[data-test=badge]')
    await shot(S, 'dashboard-student-ru')
    await S.click('[data-test=nav-achievements]')
    await S.waitForSelector('[data-test=achievement]')
    await shot(S, 'achievements-ru')
  })
  await step('settings: notification preferences, Telegram status and iCal link', ['student'], async () => {
    await S.click('[data-test=nav-settings]')
    await S.waitForSelector('[data-test=telegram-status]')
    // The zones: grouped, Russia first, "(UTC+03:00) Москва" (#13).
    const groups = await S.locator('[data-test=profile-tz] optgroup').evaluateAll((gs) => gs.map((g) => g.label))
    if (groups[0] !== 'Россия' || !groups.includes('Европа')) throw new Error(`zone groups: ${groups.join(', ')}`)
    const moscow = await S.locator('[data-test=profile-tz] option[value="Europe/Moscow"]').innerText()
    if (moscow.trim() !== '(UTC+03:00) Москва') throw new Error(`Moscow is shown as ${moscow}`)
    // Only channels the server delivers can be ticked (#13): toggle the first
    // one, or the quiet hours on a server with none (the demo).
    const prefs = await (await S.request.get('/api/v1/notifications/preferences')).json()
    const offered = prefs.channel_status.filter((c) => c.available).map((c) => c.channel)
    for (const c of ['email', 'telegram'])
      if (!offered.includes(c) && (await S.locator(`[data-test=pref-webinar_reminder-${c}]`).count())) throw new Error(`${c} can be ticked, but this server does not deliver it`)
    const box = offered.length ? `[data-test=pref-webinar_reminder-${offered[0]}]` : '#qh'
    const other = offered.length > 1 ? `[data-test=pref-webinar_reminder-${offered[1]}]` : null
    const [before, otherBefore] = [await S.isChecked(box), other ? await S.isChecked(other) : null]
    await S.setChecked(box, !before)
    await S.click('[data-test=prefs-save]')
    await S.waitForSelector('[data-test=prefs-saved]')
    await S.reload()
    await S.waitForSelector(box)
    if ((await S.isChecked(box)) === before) throw new Error('preference not kept')
    if (other && (await S.isChecked(other)) !== otherBefore) throw new Error('the other channel changed')
    await S.click('[data-test=ical-make]')
    const url = await S.locator('[data-test=ical-url]').inputValue()
    if (!/\/ical\/.+\.ics$/.test(url)) throw new Error(`ical url: ${url}`)
    const feedUrl = new URL(new URL(url).pathname, base).href
    const res = await S.request.get(feedUrl)
    if (!res.ok()) throw new Error(`feed: ${res.status()}`)
    if (!/no-store/.test(res.headers()['cache-control'] ?? '')) throw new Error(`feed cache-control: ${res.headers()['cache-control']}`)
    await shot(S, 'settings-ru')
    // The link is shown again after a reload, unchanged (#16: no silent rotation).
    await S.reload()
    await S.waitForSelector('[data-test=ical-made-at]')
    if ((await S.locator('[data-test=ical-url]').inputValue()) !== url) throw new Error('the calendar link changed on reload')
    // A new link is made only after a dialog that says the old one stops working; cancelling keeps it.
    await S.click('[data-test=ical-make]')
    await S.waitForSelector('[data-test=confirm-dialog]')
    await check(S, 'settings-rotate-ical-dialog')
    await S.click('[data-test=confirm-cancel]')
    if ((await S.locator('[data-test=ical-url]').inputValue()) !== url) throw new Error('cancelling the dialog changed the link')
    if (!(await S.request.get(feedUrl)).ok()) throw new Error('the feed stopped working after a cancelled rotation')
    // Switching the feed off (confirmed): the link stops working.
    await S.click('[data-test=ical-off]')
    await S.click('[data-test=confirm-ok]')
    await S.waitForSelector('[data-test=ical-off-done]')
    const off = await S.request.get(feedUrl)
    if (off.status() !== 404) throw new Error(`feed after switching off: ${off.status()}`)
  })
  await step('settings say what will actually arrive and why; saving says so (#13)', ['student'], async () => {
    await S.goto('/settings')
    await S.waitForSelector('[data-test=arrives-new_assignment]')
    const prefs = await (await S.request.get('/api/v1/notifications/preferences')).json()
    for (const [kind, chs] of Object.entries(prefs.delivered)) {
      const cell = S.locator(`[data-test=arrives-${kind}]`)
      const shown = await cell.getAttribute('data-channels')
      if (shown !== chs.join(' ')) throw new Error(`${kind}: shown «${shown}», delivered «${chs.join(' ')}»`)
      if (!chs.length && !/ничего не придёт/.test(await cell.innerText())) throw new Error(`${kind}: ${await cell.innerText()}`)
    }
    const tg = prefs.channel_status.find((c) => c.channel === 'telegram')
    const tgNote = await S.locator('[data-test=channel-note-telegram]').innerText().catch(() => '')
    if (!tg.available && !/Telegram не подключён на этом сервере/.test(tgNote)) throw new Error(`Telegram note: ${tgNote}`)
    if (tg.available && !tg.reachable && !/Привяжите Telegram/.test(tgNote)) throw new Error(`Telegram note: ${tgNote}`)
    if (Object.values(prefs.delivered).every((l) => !l.length)) {
      const said = await text(S, '[data-test=delivery-summary]')
      if (!/не придёт ни одно уведомление/.test(said)) throw new Error(`summary: ${said}`)
      if (!prefs.channel_status.some((c) => c.available) && !/не настроены ни почта, ни Telegram/.test(said)) throw new Error(`summary: ${said}`)
    }
    await shot(S, 'settings-delivery-ru')
    // Saving says it was saved (and takes the quiet hours of the step before away).
    if (await S.isChecked('#qh')) await S.uncheck('#qh')
    await S.click('[data-test=prefs-save]')
    await S.waitForSelector('[data-test=toast]:has-text("Настройки уведомлений сохранены")')
  })
  await step('settings: the password changes only with the current one', ['student'], async () => {
    await S.fill('[data-test=pw-current]', 'not-my-password')
    await S.fill('[data-test=pw-new]', 'new-password-123')
    await S.click('[data-test=pw-save]')
    await S.waitForSelector('[data-test=pw-error]')
    const err = await text(S, '[data-test=pw-error]')
    if (!/Текущий пароль неверен/.test(err)) throw new Error(`wrong current password: ${err}`)
    await S.fill('[data-test=pw-current]', PASSWORD)
    await S.fill('[data-test=pw-new]', 'new-password-123')
    await S.click('[data-test=pw-save]')
    await S.waitForSelector('[data-test=pw-saved]')
    // This session stays; change it back for the steps after this one.
    await S.reload()
    await S.waitForSelector('[data-test=pw-current]')
    await S.fill('[data-test=pw-current]', 'new-password-123')
    await S.fill('[data-test=pw-new]', PASSWORD)
    await S.click('[data-test=pw-save]')
    await S.waitForSelector('[data-test=pw-saved]')
  })
  await step('the main screens in English (language remembered after reload)', ['student', 'teacher'], async () => {
    for (const [page, who] of [[S, 'student'], [T, 'teacher']]) {
      await page.click('[data-test=lang-en]')
      await page.reload()
      await page.waitForSelector('[data-test=nav-courses]')
      const nav = await text(page, '[data-test=nav-courses]')
      if (nav.trim() !== 'Courses') throw new Error(`language not kept: ${nav}`)
    }
    const visit = async (page, url, name) => {
      await page.goto(url)
      await page.waitForLoadState('networkidle')
      await shot(page, `${name}-en`)
    }
    await visit(S, '/', 'dashboard-student')
    if (state.lessonUrl) await visit(S, state.lessonUrl, 'lesson-student')
    if (state.assignmentUrl) await visit(S, state.assignmentUrl, 'assignment-student')
    await visit(S, '/homework', 'homework')
    await visit(S, '/schedule', 'schedule')
    await visit(S, '/achievements', 'achievements')
    await visit(S, '/settings', 'settings')
    if (state.attemptUrl) await visit(S, state.attemptUrl + '/review', 'quiz-review')
    await visit(T, '/', 'dashboard-teacher')
    if (state.courseId) await visit(T, `/courses/${state.courseId}/statistics`, 'statistics')
    if (state.courseUrl) await visit(T, state.courseUrl, 'course-teacher')
    if (state.quizId) await visit(T, `/quizzes/${state.quizId}/build`, 'quiz-builder')
    await visit(T, '/grading', 'grading')
    if (state.courseId) await visit(T, `/courses/${state.courseId}/gradebook`, 'gradebook')
    await S.setViewportSize({ width: 390, height: 800 })
    await visit(S, '/', 'phone-dashboard-student')
    await S.click('[data-test=lang-ru]')
    await S.reload()
    await S.waitForSelector('[data-test=nav-courses]', { state: 'attached' })
    await shot(S, 'phone-dashboard-student-ru')
  })
  await step('the profile language follows the header switch, and the other way round (#13)', ['student'], async () => {
    const me = async () => (await (await S.request.get('/api/v1/auth/me')).json()).locale
    await S.goto('/settings')
    const select = S.locator('[data-test=profile-locale]')
    await select.waitFor()
    if ((await select.inputValue()) !== 'ru') throw new Error(`profile language before: ${await select.inputValue()}`)
    await S.click('[data-test=lang-en]')
    await S.waitForFunction(() => document.querySelector('[data-test=profile-locale]')?.value === 'en')
    for (let i = 0; (await me()) !== 'en'; i++) if (i > 20) throw new Error('the profile kept its language')
    else await S.waitForTimeout(250)
    await select.selectOption('ru')
    await S.waitForFunction(() => document.documentElement.lang === 'ru' && document.querySelector('h1')?.textContent?.includes('Профиль'))
    for (let i = 0; (await me()) !== 'ru'; i++) if (i > 20) throw new Error('the profile did not take the language chosen in it')
    else await S.waitForTimeout(250)
  })
  // Free the machine before the admin's browser starts.
  for (const c of [teacher, student]) {
    pages.splice(pages.indexOf(c.page), 1)
    await c.ctx.close()
  }
  const admin = await open('admin')
  const A = admin.page
  await step('admin creates a user and makes them an assistant', [], async () => {
    await login(A, ADMIN)
    state.admin = true
    await A.click('[data-test=nav-users]')
    await A.fill('[data-test=user-email]', 'assist@dev.test')
    await A.fill('[data-test=user-name]', 'Мария Ассистентова')
    await A.fill('[data-test=user-password]', 'assist-pass-123')
    await A.click('[data-test=user-create]')
    const row = A.locator('[data-test=user-row]', { hasText: 'assist@dev.test' })
    await row.waitFor()
    await row.locator('select').selectOption('assistant')
    await A.waitForTimeout(500)
    await A.reload()
    const again = A.locator('[data-test=user-row]', { hasText: 'assist@dev.test' })
    if ((await again.locator('select').inputValue()) !== 'assistant') throw new Error('role not kept')
    await shot(A, 'users-ru')
    state.assistantUser = true
  })
  await step('admin adds the assistant to the course; the assistant opens the grading queue', ['assistantUser', 'courseUrl'], async () => {
    await A.goto(state.courseUrl)
    await A.click('[data-test=tab-students]')
    // A typeahead over /users/search (teachers and assistants), not the admin's whole list.
    await A.fill('[data-test=assistant-search] [data-test=user-search-input]', 'assist@')
    await A.click('[data-test=assistant-search] [data-test=user-hit][data-email="assist@dev.test"] [data-test=user-hit-pick]')
    await A.waitForSelector('li:has-text("assist@dev.test")')
    const assistant = await open('assistant')
    const P = assistant.page
    await P.goto('/login')
    await P.fill('[data-test=login-email]', 'assist@dev.test')
    await P.fill('[data-test=login-password]', 'assist-pass-123')
    await P.click('[data-test=login-submit]')
    await P.click('[data-test=nav-grading]')
    await P.waitForSelector('[data-test=queue-item], [data-test=empty]')
    await P.goto(state.courseUrl)
    await P.waitForSelector('[data-test=course-heading]')
    await shot(P, 'assistant-course-ru')
    await assistant.ctx.close()
    pages.splice(pages.indexOf(P), 1)
  })
  await step('admin deactivates a user', ['assistantUser'], async () => {
    await A.goto('/admin/users')
    const row = A.locator('[data-test=user-row]', { hasText: 'assist@dev.test' })
    await row.locator('[data-test=user-active]').click()
    await A.waitForFunction(() => [...document.querySelectorAll('[data-test=user-row]')].some((r) => r.textContent.includes('assist@dev.test') && r.classList.contains('text-muted')))
  })
  // Issue #14: bringing a whole school in — a CSV import, the invitation
  // e-mail's link, "forgot password", the admin's reset link, sign-up.
  const run = Date.now().toString(36)
  const importees = Array.from({ length: 28 }, (_, i) => `import-${run}-${String(i + 1).padStart(2, '0')}@school.test`)
  await step('admin checks a CSV of 30 students with two bad rows (28 to create, 2 errors said in words), downloads the report and imports (#14)', ['admin'], async () => {
    const courses = (await (await A.request.get('/api/v1/courses')).json()).map((c) => c.course)
    const course = courses.find((c) => c.status === 'published' && c.id !== state.courseId) ?? courses.find((c) => c.status === 'published')
    if (!course) throw new Error('no published course to import into')
    state.importCourse = course
    const lines = ['Почта;ФИО;Курсы', ...importees.map((e, i) => `${e};Студент Импортов ${i + 1};${course.id}`)]
    lines.splice(5, 0, `не-адрес;Без Почты;${course.id}`)
    lines.splice(17, 0, `noname-${run}@school.test;;${course.id}`)
    await A.goto('/admin/users')
    await A.click('[data-test=to-import]')
    await A.waitForURL(/\/admin\/import$/)
    await A.waitForSelector('[data-test=nav-import].router-link-active')
    if (!(await A.locator('[data-test=import-run]').isDisabled())) throw new Error('«Импортировать» is offered before a check')
    await A.setInputFiles('[data-test=import-file]', { name: 'students-9a.csv', mimeType: 'text/csv', buffer: Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`) })
    // The row count comes once the file is read.
    await A.waitForFunction(() => /строк с данными: \d+/.test(document.querySelector('[data-test=import-file-info]')?.textContent ?? ''))
    const info = (await text(A, '[data-test=import-file-info]')).replace(/\s+/g, ' ')
    if (!info.includes('students-9a.csv') || !/\d+ КБ/.test(info) || !info.includes('строк с данными: 30')) throw new Error(`file info: ${info}`)
    await A.click('[data-test=import-check]')
    await A.waitForSelector('[data-test=import-report][data-dry-run=true]', { timeout: 30000 })
    const count = async (a) => (await text(A, `[data-test=count-${a}]`)).trim()
    if ((await count('create')) !== '28' || (await count('error')) !== '2') throw new Error(`counts: create ${await count('create')}, error ${await count('error')}`)
    if ((await A.locator('[data-test=report-row]').count()) !== 30) throw new Error(`${await A.locator('[data-test=report-row]').count()} report rows`)
    const errors = A.locator('[data-test=report-row][data-action=error]')
    const said = (await errors.allInnerTexts()).map((r) => r.replace(/\s+/g, ' '))
    if (said.length !== 2 || !/^6 не-адрес ошибка — строка будет пропущена «не-адрес» — не адрес электронной почты\.$/.test(said[0]) || !/^18 noname-.* Для нового пользователя нужно имя/.test(said[1]))
      throw new Error(`error rows: ${JSON.stringify(said)}`)
    if (!(await errors.evaluateAll((rs) => rs.every((r) => r.classList.contains('table-danger'))))) throw new Error('the error rows are not highlighted')
    const good = (await text(A, '[data-test=report-row][data-action=create] [data-test=report-action]')).trim()
    if (good !== 'будет создан и приглашён') throw new Error(`a good row says: ${good}`)
    await shot(A, 'import-check-ru')
    // The check's report as a file (the server's format=csv).
    const download = A.waitForEvent('download')
    await A.click('[data-test=import-report-csv]')
    const csv = await readFile(await (await download).path(), 'utf8')
    const csvLines = csv.replace(/^\uFEFF/, '').split(/\r?\n/).filter(Boolean)
    if (csvLines[0] !== 'line;email;action;courses;code;message' || csvLines.length !== 31 || !csvLines.some((l) => /^6;не-адрес;error;;invalid_email;/.test(l))) throw new Error(`report file: ${csvLines.slice(0, 3).join(' / ')}`)
    const since = Date.now()
    await A.click('[data-test=import-run]')
    const dialog = A.locator('[data-test=confirm-dialog]')
    await dialog.waitFor()
    const asked = (await dialog.innerText()).replace(/\s+/g, ' ')
    if (!asked.includes('Импортировать файл «students-9a.csv»?') || !asked.includes('Новых пользователей: 28') || !asked.includes('Строк с ошибками: 2')) throw new Error(`dialog: ${asked}`)
    await A.click('[data-test=confirm-ok]')
    await A.waitForSelector('[data-test=import-report][data-dry-run=false]', { timeout: 30000 })
    if ((await count('create')) !== '28' || (await count('error')) !== '2') throw new Error(`after the import: create ${await count('create')}, error ${await count('error')}`)
    if ((await text(A, '[data-test=report-row][data-action=create] [data-test=report-action]')).trim() !== 'создан и приглашён') throw new Error('the result does not say what was done')
    await A.waitForSelector('[data-test=toast]:has-text("Импорт выполнен: новых пользователей — 28.")')
    await shot(A, 'import-done-ru')
    state.importedAt = since
    state.imported = true
  })
  await step('the same file again changes nothing: a check says «уже приглашён» (#14)', ['imported'], async () => {
    await A.click('[data-test=import-check]')
    await A.waitForSelector('[data-test=import-report][data-dry-run=true]', { timeout: 30000 })
    const skip = (await text(A, '[data-test=count-skip]')).trim()
    if (skip !== '28') throw new Error(`skipped rows: ${skip}`)
    const reason = (await text(A, '[data-test=report-row][data-action=skip] [data-test=report-reason]')).trim()
    if (reason !== 'Уже приглашён на все указанные курсы.') throw new Error(`reason: ${reason}`)
    if (!(await A.locator('[data-test=import-run]').isDisabled())) throw new Error('nothing to import, yet «Импортировать» is enabled')
  })
  const invitee = { email: importees[0], password: 'first-pass-123', newPassword: 'second-pass-456' }
  let I = null
  await step('an imported student opens the invitation link from the e-mail, corrects the name, chooses a password, is logged in and sees the course (#14)', ['imported', 'mailbox'], async () => {
    const { link, message } = await mail.waitForLink(invitee.email, /\/invitation\/[0-9a-f]+/, { since: state.importedAt, timeoutMs: 30000 })
    if (!link.startsWith(`${base}/invitation/`)) throw new Error(`the e-mail links elsewhere: ${link}`)
    if (!message.text.includes(state.importCourse.title)) throw new Error(`the e-mail does not name the course: ${message.text.slice(0, 300)}`)
    const ctx = await open('invitee')
    state.inviteeCtx = ctx
    I = ctx.page
    await I.goto(link)
    const preview = (await text(I, '[data-test=invitation-preview]')).replace(/\s+/g, ' ')
    if (!preview.includes(invitee.email) || !preview.includes(state.importCourse.title) || !/студент/.test(preview)) throw new Error(`preview: ${preview}`)
    if ((await I.inputValue('[data-test=invitation-name]')) !== 'Студент Импортов 1') throw new Error(`name: ${await I.inputValue('[data-test=invitation-name]')}`)
    await shot(I, 'invitation-ru')
    // Two different passwords are caught before sending.
    await I.fill('[data-test=invitation-password]', invitee.password)
    await I.fill('[data-test=invitation-repeat]', invitee.password + '4')
    await I.click('[data-test=invitation-accept]')
    if (!/Пароли не совпадают/.test(await text(I, '[data-test=invitation-error]'))) throw new Error(`mismatch: ${await text(I, '[data-test=invitation-error]')}`)
    await I.fill('[data-test=invitation-name]', 'Анна Импортова')
    await I.fill('[data-test=invitation-repeat]', invitee.password)
    await I.click('[data-test=invitation-accept]')
    await I.waitForURL((u) => new URL(u).pathname === '/')
    await I.waitForFunction(() => /Анна Импортова · студент/.test(document.querySelector('[data-test=current-user]')?.textContent ?? ''))
    await I.waitForSelector('[data-test=toast]:has-text("Добро пожаловать, Анна Импортова!")')
    await I.click('[data-test=nav-courses]')
    const card = I.locator('[data-test=course-card]', { hasText: state.importCourse.title })
    await card.waitFor()
    await card.locator('a').first().click()
    await I.waitForFunction((t) => document.querySelector('[data-test=course-heading]')?.textContent?.trim() === t, state.importCourse.title)
    await shot(I, 'invitee-course-ru')
    // The link works once.
    await I.goto(link)
    await I.waitForSelector('[data-test=invitation-link-problem][data-problem=invalid]')
    state.invitee = true
  })
  // "Forgot password" for the invited student, or (when that step could not
  // run) for a student the admin creates, so the reset is tried either way.
  let resetUser = null
  await step('the student forgets the password: the same neutral answer for any address, a link by e-mail, a new password, logging in with it (#14)', ['admin', 'mailbox'], async () => {
    resetUser = state.invitee ? { email: invitee.email, name: 'Анна Импортова', password: invitee.password } : { email: `forgot-${run}@school.test`, name: 'Фёдор Забывчивый', password: 'first-pass-123' }
    if (!state.invitee) {
      await A.goto('/admin/users')
      await A.fill('[data-test=user-email]', resetUser.email)
      await A.fill('[data-test=user-name]', resetUser.name)
      await A.fill('[data-test=user-password]', resetUser.password)
      await A.click('[data-test=user-create]')
      await A.fill('[data-test=users-search]', resetUser.email)
      await A.locator(`[data-test=user-row][data-email="${resetUser.email}"]`).waitFor()
    }
    if (!I) {
      state.inviteeCtx = await open('invitee')
      I = state.inviteeCtx.page
    }
    await I.goto('/login')
    // Logged in, /login leads home: wait for either before deciding.
    await I.waitForSelector('[data-test=logout], [data-test=forgot-link]')
    if (await I.locator('[data-test=logout]').count()) {
      await I.click('[data-test=logout]')
      await I.waitForURL(/\/login/)
    }
    await I.click('[data-test=forgot-link]')
    await I.waitForURL(/\/forgot-password/)
    const ask = async (address) => {
      await I.fill('[data-test=forgot-email]', address)
      await I.click('[data-test=forgot-submit]')
      return (await text(I, '[data-test=forgot-sent-text]')).trim()
    }
    const unknown = await ask(`nobody-${run}@school.test`)
    if (unknown !== 'Если такой адрес есть в школе, мы отправили на него письмо со ссылкой') throw new Error(`unknown address: ${unknown}`)
    await I.click('[data-test=forgot-again]')
    const since = Date.now()
    const known = await ask(resetUser.email)
    if (known !== unknown) throw new Error(`the answers differ: «${known}» / «${unknown}»`)
    await shot(I, 'forgot-sent-ru')
    const { link } = await mail.waitForLink(resetUser.email, /\/reset-password\/[0-9a-f]+/, { since, timeoutMs: 30000 })
    if (mail.to(`nobody-${run}@school.test`).length) throw new Error('an e-mail went to an address the school does not have')
    await I.goto(link)
    await I.fill('[data-test=reset-password]', invitee.newPassword)
    await I.fill('[data-test=reset-repeat]', invitee.newPassword)
    await I.click('[data-test=reset-submit]')
    await I.waitForSelector('[data-test=reset-done]')
    await shot(I, 'reset-done-ru')
    await I.click('[data-test=reset-login]')
    await I.waitForURL(/\/login/)
    await I.fill('[data-test=login-email]', resetUser.email)
    await I.fill('[data-test=login-password]', invitee.newPassword)
    await I.click('[data-test=login-submit]')
    await I.waitForSelector('[data-test=current-user]')
    const old = await I.request.post('/api/v1/auth/login', { data: { email: resetUser.email, password: resetUser.password } })
    if (old.status() !== 401) throw new Error(`the old password still logs in: ${old.status()}`)
    // The link works once, and says what to do.
    await I.goto(link)
    await I.fill('[data-test=reset-password]', 'third-pass-789')
    await I.fill('[data-test=reset-repeat]', 'third-pass-789')
    await I.click('[data-test=reset-submit]')
    await I.waitForSelector('[data-test=reset-link-problem][data-problem=invalid]')
    if (!(await I.locator('[data-test=reset-request-new]').count())) throw new Error('no way to ask for a new link')
    state.resetUser = true
  })
  await step('admin sends a password reset link from the user list; it arrives (#14)', ['admin', 'resetUser', 'mailbox'], async () => {
    await A.goto('/admin/users')
    await A.fill('[data-test=users-search]', resetUser.email)
    const row = A.locator(`[data-test=user-row][data-email="${resetUser.email}"]`)
    await row.waitFor()
    const since = Date.now()
    await row.locator('[data-test=user-reset]').click()
    const dialog = A.locator('[data-test=confirm-dialog]')
    await dialog.waitFor()
    if (!(await dialog.innerText()).includes(`Отправить пользователю ${resetUser.name} ссылку для сброса пароля?`)) throw new Error(`dialog: ${await dialog.innerText()}`)
    await A.click('[data-test=confirm-ok]')
    await A.waitForSelector(`[data-test=toast]:has-text("Ссылка для сброса пароля отправлена на ${resetUser.email}")`)
    await mail.waitForLink(resetUser.email, /\/reset-password\/[0-9a-f]+/, { since, timeoutMs: 30000 })
  })
  await step('admin sees the invitations: filtered by state and address, with paging (#14)', ['imported'], async () => {
    await A.goto('/admin/users?tab=invitations')
    await A.waitForSelector('[data-test=invitation-row]')
    // The imported addresses still pending (27 or 28): a full page and a next one.
    const prefix = `import-${run}-`
    const rowsNow = (n) => A.waitForFunction(([p, n]) => {
      const rs = [...document.querySelectorAll('[data-test=invitation-row]')]
      return rs.length === n && rs.every((r) => r.getAttribute('data-email').startsWith(p))
    }, [prefix, n])
    const answered = (part) => A.waitForResponse((r) => r.url().includes('/api/v1/invitations?') && r.url().includes(part))
    let got = answered(`q=${encodeURIComponent(prefix)}`)
    await A.fill('[data-test=inv-search]', prefix)
    await A.press('[data-test=inv-search]', 'Enter')
    await got
    await rowsNow(20)
    got = answered('offset=20')
    await A.click('[data-test=inv-next]')
    await got
    await rowsNow(state.invitee ? 7 : 8)
    if (state.invitee) {
      await A.selectOption('[data-test=inv-status-filter]', 'accepted')
      await A.waitForFunction((e) => { const rs = document.querySelectorAll('[data-test=invitation-row]'); return rs.length === 1 && rs[0].getAttribute('data-email') === e }, invitee.email)
    }
    await shot(A, 'invitations-ru')
  })
  await step('a newcomer signs up on the login page with a course code and lands in the course (#14)', ['code', 'selfRegistration'], async () => {
    const P = I ?? (state.newcomerCtx = await open('newcomer')).page
    if (await P.locator('[data-test=logout]').count()) await P.click('[data-test=logout]')
    await P.goto('/login')
    await P.click('[data-test=register-link]')
    await P.waitForURL(/\/register$/)
    await P.fill('[data-test=register-email]', `newcomer-${run}@school.test`)
    await P.fill('[data-test=register-name]', 'Новый Ученик')
    await P.fill('[data-test=register-password]', 'newcomer-pass-1')
    await P.fill('[data-test=register-code]', state.code.toLowerCase())
    await shot(P, 'register-ru')
    await P.click('[data-test=register-submit]')
    await P.waitForURL((u) => new URL(u).pathname === '/')
    await P.waitForFunction(() => /Новый Ученик/.test(document.querySelector('[data-test=current-user]')?.textContent ?? ''))
    await P.goto('/courses')
    await P.locator('[data-test=course-card]', { hasText: 'Алгебра 9' }).waitFor()
  })
  // Issue #15: the directory searched and paged on the server, exported, and
  // changed in bulk; a course owner finds students by name.
  const packet = [`packet-${run}-1@school.test`, `packet-${run}-2@school.test`]
  await step('admin searches users by a name prefix and by role, pages, exports CSV, bulk-deactivates two students and activates them again (#15)', ['admin', 'imported'], async () => {
    await A.goto('/admin/users')
    await A.waitForSelector('[data-test=user-row]')
    for (const [i, email] of packet.entries()) {
      await A.fill('[data-test=user-email]', email)
      await A.fill('[data-test=user-name]', i ? 'Яков Пакетов' : 'Зоя Пакетова')
      await A.fill('[data-test=user-password]', 'packet-pass-123')
      const made = A.waitForResponse((r) => r.url().endsWith('/api/v1/users') && r.request().method() === 'POST')
      await A.click('[data-test=user-create]')
      if (!(await made).ok()) throw new Error(`creating ${email}`)
    }
    const answered = (part) => A.waitForResponse((r) => r.url().includes('/api/v1/users?') && r.url().includes(part))
    const emails = () => A.locator('[data-test=user-row]').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-email')))
    const rowsAre = (list) => A.waitForFunction((l) => JSON.stringify([...document.querySelectorAll('[data-test=user-row]')].map((r) => r.getAttribute('data-email'))) === JSON.stringify(l), list)
    // Paging: more than 50 accounts by now (the demo school, the import, these two).
    await A.goto('/admin/users')
    await A.waitForSelector('[data-test=user-row]')
    if ((await A.locator('[data-test=user-row]').count()) !== 50) throw new Error(`first page: ${await A.locator('[data-test=user-row]').count()} rows`)
    const first = await emails()
    let got = answered('offset=50')
    await A.click('[data-test=users-next]')
    await got
    await A.waitForFunction(() => document.querySelector('[data-test=users-page]')?.textContent?.includes('Страница 2'))
    const second = await emails()
    if (!second.length || second.some((e) => first.includes(e))) throw new Error(`second page: ${second.slice(0, 3)}`)
    got = answered('offset=0')
    await A.click('[data-test=users-prev]')
    await got
    await rowsAre(first)
    // A name prefix (a word of the name, Cyrillic), then the role.
    got = answered(`q=${encodeURIComponent('Пакет')}`)
    await A.fill('[data-test=users-search]', 'Пакет')
    await got
    await rowsAre(packet)
    got = answered('role=teacher')
    await A.selectOption('[data-test=users-role-filter]', 'teacher')
    await got
    await A.waitForSelector('[data-test=user-row]', { state: 'detached' })
    got = answered('role=student')
    await A.selectOption('[data-test=users-role-filter]', 'student')
    await got
    await rowsAre(packet)
    // The same filtered directory as a file.
    const download = A.waitForEvent('download')
    await A.click('[data-test=users-export]')
    const file = await download
    const csv = await readFile(await file.path(), 'utf8')
    if (!packet.every((e) => csv.includes(e)) || csv.includes('admin@')) throw new Error(`export: ${csv.slice(0, 300)}`)
    // Both deactivated at once, after a dialog, with a summary; then activated again.
    await A.check('[data-test=users-select-page]')
    await A.waitForFunction(() => document.querySelector('[data-test=users-selected]')?.textContent?.includes('2'))
    await A.click('[data-test=users-bulk-deactivate]')
    await A.locator('[data-test=confirm-dialog]').waitFor()
    if (!(await A.locator('[data-test=confirm-dialog]').innerText()).includes('Деактивировать выбранных пользователей (2)?')) throw new Error('no dialog in words')
    await A.click('[data-test=confirm-ok]')
    await A.waitForSelector('[data-test=toast]:has-text("деактивировано: 2")')
    await A.waitForFunction(() => [...document.querySelectorAll('[data-test=user-row]')].every((r) => r.getAttribute('data-active') === 'false'))
    await shot(A, 'users-bulk-ru')
    await A.check('[data-test=users-select-page]')
    await A.click('[data-test=users-bulk-activate]')
    await A.click('[data-test=confirm-ok]')
    await A.waitForSelector('[data-test=toast]:has-text("Готово. активировано: 2")')
    await A.waitForFunction(() => [...document.querySelectorAll('[data-test=user-row]')].every((r) => r.getAttribute('data-active') === 'true'))
    state.packet = true
  })
  await step("the admin's screens and the pages for getting in, in English: checked like the others (#16)", ['admin'], async () => {
    await A.goto('/admin/users')
    await A.waitForSelector('[data-test=user-row]')
    await A.click('[data-test=lang-en]')
    await A.waitForFunction(() => document.documentElement.lang === 'en' && document.querySelector('[data-test=nav-users]')?.textContent?.trim() === 'Users')
    await shot(A, 'users-en')
    await A.goto('/admin/users?tab=invitations')
    await A.waitForSelector('[data-test=invitation-row]')
    await shot(A, 'invitations-en')
    await A.goto('/admin/import')
    await A.waitForSelector('[data-test=import-file]')
    await shot(A, 'import-en')
    // Logged out, the device keeps the language.
    await A.click('[data-test=logout]')
    await A.waitForURL(/\/login/)
    await A.waitForSelector('[data-test=login-email]')
    await shot(A, 'login-en')
    // Loaded afresh, a page for getting in is English and says so (<html lang>) before anyone logs in.
    const english = async () => {
      const lang = await A.evaluate(() => document.documentElement.lang)
      if (lang !== 'en') throw new Error(`${new URL(A.url()).pathname}: <html lang="${lang}"> on an English page`)
    }
    await A.goto('/forgot-password')
    await A.waitForSelector('[data-test=forgot-email]')
    await english()
    await shot(A, 'forgot-en')
    if (state.selfRegistration) {
      await A.goto('/register')
      await A.waitForSelector('[data-test=register-email]')
      await english()
      await shot(A, 'register-en')
    }
  })
  for (const c of [state.inviteeCtx, state.newcomerCtx]) {
    if (!c) continue
    pages.splice(pages.indexOf(c.page), 1)
    await c.ctx.close()
  }
  await admin.ctx.close()
  pages.splice(pages.indexOf(A), 1)
  await step('the teacher finds students by name on the course page, enrols them and removes both at once (#15)', ['packet', 'courseUrl'], async () => {
    const again = await open('teacher-again')
    const P = again.page
    try {
      await login(P, TEACHER)
      // The teacher's profile was left in English by an earlier step.
      await P.click('[data-test=lang-ru]')
      await P.waitForFunction(() => document.querySelector('[data-test=nav-courses]')?.textContent?.trim() === 'Курсы')
      await P.goto(state.courseUrl)
      await P.click('[data-test=tab-students]')
      for (const email of packet) {
        await P.fill('[data-test=student-search] [data-test=user-search-input]', 'Пакет')
        await P.click(`[data-test=student-search] [data-test=user-hit][data-email="${email}"] [data-test=user-hit-pick]`)
        await P.waitForSelector(`[data-test=student-row][data-email="${email}"]`)
      }
      // The list is searched on the server: lower case finds the capitalised names.
      await P.fill('[data-test=students-filter]', 'пакет')
      await P.waitForFunction((n) => document.querySelectorAll('[data-test=student-row]').length === n, packet.length)
      const shown = await P.locator('[data-test=student-row]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-email')))
      if ([...shown].sort().join() !== [...packet].sort().join()) throw new Error(`the search shows ${shown.join(', ')}`)
      for (const email of packet) await P.check(`[data-test=student-row][data-email="${email}"] [data-test=student-select]`)
      await P.click('[data-test=students-bulk-unenrol]')
      await P.locator('[data-test=confirm-dialog]').waitFor()
      if (!(await P.locator('[data-test=confirm-dialog]').innerText()).includes('Исключить выбранных студентов (2)')) throw new Error(`dialog: ${await P.locator('[data-test=confirm-dialog]').innerText()}`)
      await P.click('[data-test=confirm-ok]')
      await P.waitForSelector('[data-test=toast]:has-text("исключено: 2")')
      for (const email of packet) await P.waitForSelector(`[data-test=student-row][data-email="${email}"]`, { state: 'detached' })
    } finally {
      pages.splice(pages.indexOf(P), 1)
      await again.ctx.close()
    }
  })
  // Issue #18: a course run the way online schools run one, in groups with a mentor each.
  await step("the owner splits a course into two groups with a mentor each; students join by the groups' codes; each mentor sees only their group's homework (#18)", ['admin'], async () => {
    const api = async (token, method, p, body) => {
      const r = await fetch(`${base}/api/v1${p}`, {
        method,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      const raw = await r.text()
      if (!r.ok) throw new Error(`${method} ${p}: ${r.status} ${raw}`)
      return raw ? JSON.parse(raw) : null
    }
    const tokenOf = async (email, password) => (await api(null, 'POST', '/auth/login', { email, password })).token
    // The people and the course are arranged through the API; what #18 is about happens in the browser.
    const tag = Date.now().toString(36)
    const pw = 'group-pass-123'
    const admin = await tokenOf(ADMIN, PASSWORD)
    const people = {}
    for (const [key, name, role] of [['ma', 'Алина Кураторова', 'assistant'], ['mb', 'Борис Кураторов', 'assistant'], ['sa', 'Аня Группова', 'student'], ['sb', 'Богдан Группов', 'student']]) {
      const email = `${key}-${tag}@school.test`
      const user = await api(admin, 'POST', '/users', { email, display_name: name, role, password: pw })
      people[key] = { id: user.id, email, name, token: await tokenOf(email, pw) }
    }
    const teacher = await tokenOf(TEACHER, PASSWORD)
    const course = await api(teacher, 'POST', '/courses', { title: `Подготовка к ЕГЭ ${tag}` })
    await api(teacher, 'PUT', `/courses/${course.id}/status`, { status: 'published' })
    for (const k of ['ma', 'mb']) await api(teacher, 'POST', `/courses/${course.id}/assistants`, { user_id: people[k].id })
    const homework = await api(teacher, 'POST', `/courses/${course.id}/assignments`, {
      title: 'Домашка по группам', instructions: '<p>Решите задачи</p>', due_at: new Date(Date.now() + 7 * 864e5).toISOString(), max_score: 10, published: true,
    })
    const session = async (name, email, password) => {
      const s = await open(name)
      await s.page.goto('/login')
      await s.page.fill('[data-test=login-email]', email)
      await s.page.fill('[data-test=login-password]', password)
      await s.page.click('[data-test=login-submit]')
      await s.page.waitForSelector('[data-test=current-user]')
      return s
    }
    const close = async (s) => {
      pages.splice(pages.indexOf(s.page), 1)
      await s.ctx.close()
    }
    const owner = await session('groups-owner', TEACHER, PASSWORD)
    const O = owner.page
    try {
      await O.click('[data-test=lang-ru]')
      await O.goto(`/courses/${course.id}`)
      await O.click('[data-test=to-groups]')
      for (const [name, k] of [['Группа А', 'ma'], ['Группа Б', 'mb']]) {
        await O.fill('[data-test=group-create-name]', name)
        await O.check(`[data-test=group-create-mentor-${people[k].id}]`)
        await O.click('[data-test=group-create]')
        const card = O.locator(`[data-test=group-card][data-name="${name}"]`)
        await card.locator('[data-test=group-code]').waitFor()
        const mentors = await card.locator('[data-test=group-mentors]').innerText()
        if (!mentors.includes(people[k].name)) throw new Error(`${name}: mentors «${mentors}»`)
      }
      const codeOf = async (name) => (await O.locator(`[data-test=group-card][data-name="${name}"] [data-test=group-code]`).innerText()).trim()
      const codes = { sa: await codeOf('Группа А'), sb: await codeOf('Группа Б') }
      // Each student joins with their group's code, as they would with the course's.
      for (const k of ['sa', 'sb']) {
        const s = await session(`group-student-${k}`, people[k].email, pw)
        try {
          await s.page.goto('/courses')
          await s.page.fill('[data-test=join-code]', codes[k])
          await s.page.click('[data-test=join-submit]')
          await s.page.waitForSelector('[data-test=course-heading]')
        } finally {
          await close(s)
        }
      }
      // The owner sees each student in their group.
      await O.reload()
      for (const name of ['Группа А', 'Группа Б']) {
        await O.waitForFunction((n) => document.querySelector(`[data-test=group-card][data-name="${n}"] [data-test=group-count]`)?.textContent?.includes('1'), name)
      }
      await shot(O, 'groups-ru')
      const handedIn = {}
      for (const k of ['sa', 'sb']) {
        handedIn[k] = (await api(people[k].token, 'POST', `/assignments/${homework.id}/submissions`, { text: `<p>Ответ: ${people[k].name}</p>` })).submission.id
      }
      // Mentor A: the queue holds Anya's work only; Bogdan's is not there for them.
      const mentor = await session('mentor-a', people.ma.email, pw)
      const M = mentor.page
      try {
        await M.click('[data-test=nav-grading]')
        await M.waitForSelector('[data-test=queue-item]')
        const items = await M.locator('[data-test=queue-item]').allInnerTexts()
        if (items.length !== 1 || !items[0].includes(people.sa.name)) throw new Error(`mentor A's queue: ${JSON.stringify(items)}`)
        await shot(M, 'mentor-queue-ru')
        await M.goto(`/submissions/${handedIn.sb}`)
        await M.waitForSelector('[data-test=error]')
        await M.goto(`/courses/${course.id}/groups`)
        await M.waitForSelector('[data-test=groups-read-only]')
        if (await M.locator('[data-test=group-create-form]').count()) throw new Error('a mentor is offered to create groups')
        const mine = await M.locator('[data-test=group-card]:has([data-test=group-mine])').getAttribute('data-name')
        if (mine !== 'Группа А') throw new Error(`mentor A's group: ${mine}`)
      } finally {
        await close(mentor)
      }
      // The owner narrows the gradebook to group B.
      await O.goto(`/courses/${course.id}/gradebook`)
      await O.waitForSelector('[data-test=group-filter]')
      const groupB = (await api(teacher, 'GET', `/courses/${course.id}/groups`)).find((g) => g.name === 'Группа Б')
      await O.selectOption('[data-test=group-filter]', groupB.id)
      await O.waitForFunction((name) => {
        const rows = [...document.querySelectorAll('[data-test=gradebook-table] tbody tr')]
        return rows.length === 1 && rows[0].textContent.includes(name)
      }, people.sb.name)
      state.groups = { people, pw, homework, handedIn, session, close, course }
    } finally {
      await close(owner)
    }
  })
  await step("a student asks about their homework in its thread; only their group's mentor sees it and answers; the student finds the answer under the bell and it leads to the assignment (#18)", ['groups'], async () => {
    const { people, pw, homework, handedIn, session, close } = state.groups
    const student = await session('thread-student', people.sa.email, pw)
    const S2 = student.page
    try {
      await S2.goto(`/assignments/${homework.id}`)
      await S2.waitForSelector('[data-test=comment-thread]')
      await S2.click('[data-test=comment-input] .ql-editor')
      await S2.keyboard.type('Почему в задаче 3 ответ не сходится?')
      await S2.setInputFiles('[data-test=comment-attach]', { name: 'скан-задачи-3.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4 scan of problem 3') })
      await S2.waitForSelector('[data-test=comment-file-chip]:has-text("скан-задачи-3.pdf")')
      await S2.click('[data-test=comment-send]')
      await S2.waitForSelector('[data-test=comment-item]:has-text("Почему в задаче 3")')
      await S2.waitForSelector('[data-test=comment-file]:has-text("скан-задачи-3.pdf")')
      const mentor = await session('thread-mentor', people.ma.email, pw)
      const M = mentor.page
      try {
        await M.goto(`/submissions/${handedIn.sa}`)
        await M.waitForSelector('[data-test=comment-item]:has-text("Почему в задаче 3")')
        // The mentor downloads the scan the student attached.
        const scanHref = await M.locator('[data-test=comment-file]', { hasText: 'скан-задачи-3.pdf' }).getAttribute('href')
        const scan = await M.request.get(scanHref)
        if (scan.status() !== 200 || !(await scan.text()).startsWith('%PDF-1.4 scan')) throw new Error(`the attached scan: ${scan.status()}`)
        await M.click('[data-test=comment-input] .ql-editor')
        await M.keyboard.type('Проверь знак в третьей строке.')
        await M.click('[data-test=comment-send]')
        await M.waitForSelector('[data-test=comment-item]:has-text("Проверь знак")')
        await shot(M, 'comment-thread-ru')
      } finally {
        await close(mentor)
      }
      // The other group's mentor: the thread is not there for them.
      const other = await session('thread-other-mentor', people.mb.email, pw)
      try {
        await other.page.goto(`/submissions/${handedIn.sa}`)
        await other.page.waitForSelector('[data-test=error]')
        if (await other.page.locator('[data-test=comment-thread]').count()) throw new Error('another group\'s mentor sees the thread')
      } finally {
        await close(other)
      }
      // The answer rings the student's bell and leads to the assignment.
      await S2.goto('/')
      await S2.waitForSelector('[data-test=bell-count]')
      await S2.click('[data-test=bell]')
      await S2.waitForSelector('[data-test=bell-panel]')
      await shot(S2, 'bell-ru')
      const answer = S2.locator('[data-test=bell-item]', { hasText: 'Алина Кураторова' }).first()
      await answer.click()
      await S2.waitForURL(new RegExp(`/assignments/${homework.id}`))
      await S2.waitForSelector('[data-test=comment-item]:has-text("Проверь знак")')
    } finally {
      await close(student)
    }
  })
  await step("the owner announces the mock exam to the course: the students of both groups find it on the course page and under the bell; mentor A opens their student's page from the gradebook and sees their group on the dashboard (#18)", ['groups'], async () => {
    const { people, pw, session, close, course } = state.groups
    const owner = await session('announce-owner', TEACHER, PASSWORD)
    const O = owner.page
    try {
      await O.goto(`/courses/${course.id}`)
      await O.click('[data-test=announcement-new]')
      await O.fill('[data-test=announcement-title]', 'Пробный экзамен в субботу')
      await O.click('[data-test=announcement-body] .ql-editor')
      await O.keyboard.type('Начало в 10:00, возьмите калькулятор.')
      await O.click('[data-test=announcement-send]')
      await O.waitForSelector('[data-test=announcement]:has-text("Пробный экзамен в субботу")')
      await shot(O, 'announcement-ru')
    } finally {
      await close(owner)
    }
    for (const k of ['sa', 'sb']) {
      const s = await session(`announce-${k}`, people[k].email, pw)
      const P = s.page
      try {
        await P.goto(`/courses/${course.id}`)
        await P.waitForSelector('[data-test=announcement]:has-text("Пробный экзамен в субботу")')
        await P.goto('/')
        await P.waitForSelector('[data-test=dashboard-announcement]:has-text("Пробный экзамен в субботу")')
        await P.click('[data-test=bell]')
        await P.waitForSelector('[data-test=bell-panel]')
        await P.locator('[data-test=bell-item]', { hasText: 'Пробный экзамен в субботу' }).first().click()
        await P.waitForURL(new RegExp(`/courses/${course.id}`))
        await P.waitForSelector('[data-test=announcement]:has-text("Пробный экзамен в субботу")')
      } finally {
        await close(s)
      }
    }
    const mentor = await session('announce-mentor', people.ma.email, pw)
    const M = mentor.page
    try {
      await M.goto(`/courses/${course.id}/gradebook`)
      await M.locator('[data-test=gradebook-student]', { hasText: people.sa.name }).first().click()
      await M.waitForSelector('[data-test=student-name]')
      const name = await M.locator('[data-test=student-name]').innerText()
      if (!name.includes(people.sa.name)) throw new Error(`student page: ${name}`)
      await M.waitForSelector('[data-test=student-homework-row]')
      await shot(M, 'student-page-ru')
      await M.goto(`/courses/${course.id}/students/${people.sb.id}`)
      await M.waitForSelector('[data-test=student-not-found]')
      await M.goto('/')
      await M.waitForSelector('[data-test=watched-group]')
      const groups = await M.locator('[data-test=watched-group]').allInnerTexts()
      if (groups.length !== 1 || !groups[0].includes('Группа А')) throw new Error(`mentor A's groups: ${JSON.stringify(groups)}`)
    } finally {
      await close(mentor)
    }
  })
  await step('accessibility (axe-core): no serious or critical violation on any screen checked, in either language (#16)', [], async () => {
    const langs = new Set(checked.map((c) => c.slice(-3, -1)))
    if (!langs.has('ru') || !langs.has('en')) throw new Error(`screens checked: ${checked.join(', ') || 'none'}`)
    console.log(`# axe-core on ${checked.length} screens; passed over (FullCalendar's markup): ${IGNORED.map((i) => `${i.rule} at ${i.selector}`).join('; ')}`)
    if (a11yProblems.length) throw new Error(`${a11yProblems.length} serious/critical violation(s):\n${a11yProblems.join('\n')}`)
  })
  await step('no raw translation key, unfilled message parameter or bare «?» dialog on any screen, toast or dialog, in either language (#16)', [], async () => {
    if (!checked.length) throw new Error('no screen was checked')
    console.log(`# text scan: ${checked.length} screens, ${transients} toasts and dialogs as they appeared`)
    if (!transients) throw new Error('no toast or dialog text reached the scan')
    if (keyProblems.length) throw new Error(`${keyProblems.length} problem(s):\n${[...new Set(keyProblems)].join('\n')}`)
  })
  await step('no CSP violations or script errors in the browser console', [], async () => {
    if (problems.length) throw new Error(problems.join('\n'))
  })
}
