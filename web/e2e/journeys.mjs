// The journeys of issue #8, step by step. A step that needs the result of
// a failed one is skipped, so the report shows exactly what passes.
import path from 'node:path'

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

export async function journeys({ base, launch, shots, results }) {
  const state = {}
  const problems = []
  const pages = []
  async function step(name, needs, fn) {
    const missing = needs.filter((k) => !state[k])
    if (missing.length) {
      results.push({ name, ok: null, error: `skipped: needs ${missing.join(', ')}` })
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
    page.on('dialog', (d) => d.accept())
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
  const shot = (page, name) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true })
  const text = (page, sel) => page.locator(sel).first().innerText()
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
  await step('teacher logs in', [], async () => {
    await login(T, TEACHER)
    state.teacher = true
  })
  await step('teacher creates a course', ['teacher'], async () => {
    await T.click('[data-test=nav-courses]')
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
  await step('assignment form shows a field error (no due date)', ['courseId'], async () => {
    await T.goto(`/courses/${state.courseId}/assignments/new`)
    await T.fill('[data-test=hw-title]', 'Решить 5 уравнений')
    await T.click('[data-test=hw-save]')
    const err = await text(T, '[data-test=form-error]')
    if (!err.trim()) throw new Error('no error shown')
  })
  await step('teacher creates an assignment with a deadline', ['courseId'], async () => {
    await T.goto(`/courses/${state.courseId}/assignments/new`)
    await T.fill('[data-test=hw-title]', 'Решить 5 уравнений')
    await quillType(T, 'hw-editor', () => T.keyboard.type('Решите уравнения из §3 и приложите фото.'))
    await T.fill('[data-test=hw-due]', localIn({ days: 7 }))
    await T.fill('[data-test=hw-max]', '10')
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
      await T.fill('[data-test=q-prompt]', prompt)
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
    await shot(T, 'quiz-builder-ru')
  })
  await step('teacher adds ordering and essay questions to a second quiz', ['courseId'], async () => {
    await T.goto(`/courses/${state.courseId}/quizzes/new`)
    await T.fill('[data-test=quiz-title-input]', 'Эссе и порядок')
    await T.click('[data-test=quiz-save]')
    await T.waitForURL(/\/quizzes\/.+\/build/)
    await T.selectOption('[data-test=q-kind]', 'ordering')
    await T.fill('[data-test=q-prompt]', 'Расположите шаги решения')
    await T.fill('[data-test=q-item-0]', 'Найти D')
    await T.fill('[data-test=q-item-1]', 'Найти корни')
    await T.click('[data-test=q-save]')
    await T.waitForSelector('[data-test=builder-question]')
    await T.selectOption('[data-test=q-kind]', 'essay')
    await T.fill('[data-test=q-prompt]', 'Объясните, почему при D < 0 нет корней')
    await T.fill('[data-test=q-points]', '5')
    await T.click('[data-test=q-save]')
    await T.waitForFunction(() => document.querySelectorAll('[data-test=builder-question]').length === 2, null, { timeout: 8000 }).catch(async () => {
      throw new Error(await T.locator('[data-test=question-error]').innerText().catch(() => 'essay not added'))
    })
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
  await step('student logs in; the dashboard says how to join a course', [], async () => {
    await login(S, STUDENT)
    // A fresh student has no course yet: the dashboard says how to join one.
    await S.waitForSelector('[data-test=empty-courses], .progress')
    await shot(S, 'dashboard-before-ru')
    state.student = true
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
  await step('student answers every kind and submits; the review shows the score', ['attemptUrl'], async () => {
    await card('Сколько корней').getByLabel('Два').check()
    const mc = card('x² − 5x + 6')
    await mc.getByLabel('2', { exact: true }).check()
    await mc.getByLabel('3', { exact: true }).check()
    await card('D < 0').locator('[data-test=tf-true]').click()
    await card('b² − 4ac').locator('[data-test=short-text]').fill('Дискриминант')
    await card('x² − 4x + 4').locator('[data-test=numeric]').fill('0')
    const m = card('Сопоставьте')
    await m.locator('.row', { hasText: 'D > 0' }).locator('select').selectOption({ label: 'два корня' })
    await m.locator('.row', { hasText: 'D = 0' }).locator('select').selectOption({ label: 'один корень' })
    await S.waitForFunction(() => /Сохранено/.test(document.querySelector('[data-test=save-state]')?.textContent ?? ''))
    await S.click('[data-test=submit-attempt]')
    await S.waitForURL(/\/review$/)
    const score = await text(S, '[data-test=attempt-score]')
    if (!/6 \/ 6/.test(score)) throw new Error(`score: ${score}`)
    await shot(S, 'quiz-review-ru')
    state.quizDone = true
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
    await T.fill('[data-test=grade-score]', '9')
    await quillType(T, 'grade-feedback', () => T.keyboard.type('Хорошо, но проверьте знак во втором корне.'))
    await T.click('[data-test=grade-submit]')
    await T.waitForFunction(() => /оценено/.test(document.body.innerText), null, { timeout: 10000 }).catch(async () => {
      throw new Error(await T.locator('[data-test=grade-error]').innerText().catch(() => 'grade not shown'))
    })
    state.graded = true
  })
  await step('teacher dashboard and course statistics show the course', ['courseId'], async () => {
    await T.click('[data-test=nav-home]')
    await T.waitForSelector(`a[href="/courses/${state.courseId}"]`)
    await shot(T, 'dashboard-teacher-ru')
    await T.goto(`/courses/${state.courseId}/statistics`)
    await T.waitForSelector('.card .fs-3')
    await shot(T, 'statistics-ru')
  })
  await step('teacher sees the gradebook with a CSV download', ['graded'], async () => {
    await T.goto(`/courses/${state.courseId}/gradebook`)
    await T.waitForSelector('[data-test=gradebook-table]')
    const href = await T.locator('[data-test=gradebook-csv]').getAttribute('href')
    const res = await T.request.get(href)
    if (!res.ok() || !(res.headers()['content-type'] || '').includes('csv')) throw new Error(`csv: ${res.status()}`)
    await shot(T, 'gradebook-ru')
  })
  await step('student sees the grade and feedback', ['graded'], async () => {
    await S.goto(state.assignmentUrl)
    const g = await text(S, '[data-test=grade]')
    if (!/9/.test(g) || !/знак/.test(g)) throw new Error(`grade box: ${g}`)
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
    const tg = '[data-test=pref-webinar_reminder-telegram]'
    const mail = '[data-test=pref-webinar_reminder-email]'
    const [tgBefore, mailBefore] = [await S.isChecked(tg), await S.isChecked(mail)]
    await S.setChecked(tg, !tgBefore)
    await S.click('[data-test=prefs-save]')
    await S.waitForSelector('[data-test=prefs-saved]')
    await S.reload()
    await S.waitForSelector(tg)
    if ((await S.isChecked(tg)) === tgBefore) throw new Error('preference not kept')
    if ((await S.isChecked(mail)) !== mailBefore) throw new Error('the other channel changed')
    await S.click('[data-test=ical-make]')
    const url = await S.locator('[data-test=ical-url]').inputValue()
    if (!/\/ical\/.+\.ics$/.test(url)) throw new Error(`ical url: ${url}`)
    const feedUrl = new URL(new URL(url).pathname, base).href
    const res = await S.request.get(feedUrl)
    if (!res.ok()) throw new Error(`feed: ${res.status()}`)
    if (!/no-store/.test(res.headers()['cache-control'] ?? '')) throw new Error(`feed cache-control: ${res.headers()['cache-control']}`)
    await shot(S, 'settings-ru')
    // Switching the feed off: the link stops working.
    await S.click('[data-test=ical-off]')
    await S.waitForSelector('[data-test=ical-off-done]')
    const off = await S.request.get(feedUrl)
    if (off.status() !== 404) throw new Error(`feed after switching off: ${off.status()}`)
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
  // Free the machine before the admin's browser starts.
  for (const c of [teacher, student]) {
    pages.splice(pages.indexOf(c.page), 1)
    await c.ctx.close()
  }
  const admin = await open('admin')
  const A = admin.page
  await step('admin creates a user and makes them an assistant', [], async () => {
    await login(A, ADMIN)
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
    const sel = A.locator('select', { has: A.locator('option', { hasText: 'assist@dev.test' }) })
    await sel.selectOption({ label: 'Мария Ассистентова · assist@dev.test' })
    await sel.locator('xpath=..').locator('button').click()
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
  await admin.ctx.close()
  pages.splice(pages.indexOf(A), 1)
  await step('no CSP violations or script errors in the browser console', [], async () => {
    if (problems.length) throw new Error(problems.join('\n'))
  })
}
