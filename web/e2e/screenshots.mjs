// Screenshots of the main screens for docs/screenshots/ (issue #13): the
// demo school as a student and a teacher see it, in Russian and English,
// on a desktop and a phone. Run with `bash scripts/screenshots.sh`.
import path from 'node:path'
import { mkdirSync } from 'node:fs'

const PASSWORD = process.env.LMS_E2E_PASSWORD || 'demo12345'
const TEACHER = process.env.LMS_E2E_TEACHER || 'teacher@demo.school'
const STUDENT = process.env.LMS_E2E_STUDENT || 'student1@demo.school'
const DESKTOP = { width: 1280, height: 860 }
const PHONE = { width: 390, height: 844 }

export async function screenshots({ launch, outDir, results }) {
  mkdirSync(outDir, { recursive: true })
  async function session(name, email) {
    const ctx = await launch(name)
    ctx.setDefaultTimeout(20000)
    const page = ctx.pages()[0] ?? (await ctx.newPage())
    await page.goto('/login')
    await page.fill('[data-test=login-email]', email)
    await page.fill('[data-test=login-password]', PASSWORD)
    await page.click('[data-test=login-submit]')
    await page.waitForURL((u) => !u.pathname.startsWith('/login'))
    return { ctx, page }
  }
  const api = async (page, p) => {
    const r = await page.request.get(`/api/v1${p}`)
    if (!r.ok()) throw new Error(`GET ${p}: ${r.status()}`)
    return r.json()
  }
  async function shot(page, name, route, size = DESKTOP) {
    try {
      await page.setViewportSize(size)
      await page.goto(route)
      await page.waitForLoadState('networkidle')
      // Let charts and the calendar finish drawing.
      await page.waitForTimeout(1500)
      await page.screenshot({ path: path.join(outDir, `${name}.png`), fullPage: size === PHONE })
      results.push({ name: `screenshot ${name}`, ok: true })
      console.log(`ok   ${name}`)
    } catch (e) {
      results.push({ name: `screenshot ${name}`, ok: false, error: String(e?.message || e) })
    }
  }
  async function language(page, l) {
    await page.click(`[data-test=lang-${l}]`)
    await page.waitForTimeout(300)
  }

  // The login page, before anyone logs in.
  {
    const ctx = await launch('shots-anon')
    const page = ctx.pages()[0] ?? (await ctx.newPage())
    await shot(page, 'login-ru', '/login')
    await ctx.close()
  }

  // A student.
  {
    const { ctx, page } = await session('shots-student', STUDENT)
    const courses = await api(page, '/courses')
    const course = (courses.items ?? courses)[0]
    const courseId = course.course?.id ?? course.id
    const lessons = await api(page, `/courses/${courseId}/lessons`)
    const assignments = await api(page, `/courses/${courseId}/assignments`)
    const assignmentId = (assignments[0]?.assignment ?? assignments[0])?.id
    for (const l of ['ru', 'en']) {
      await page.goto('/')
      await language(page, l)
      await shot(page, `student-dashboard-${l}`, '/')
      await shot(page, `student-courses-${l}`, '/courses')
      await shot(page, `student-course-${l}`, `/courses/${courseId}`)
      if (lessons[0]) await shot(page, `student-lesson-${l}`, `/lessons/${lessons[0].id}`)
      if (assignmentId) await shot(page, `student-assignment-${l}`, `/assignments/${assignmentId}`)
      await shot(page, `student-schedule-${l}`, '/schedule')
      await shot(page, `student-settings-${l}`, '/settings')
    }
    await language(page, 'ru')
    await shot(page, 'phone-student-dashboard-ru', '/', PHONE)
    await shot(page, 'phone-student-course-ru', `/courses/${courseId}`, PHONE)
    if (lessons[0]) await shot(page, 'phone-student-lesson-ru', `/lessons/${lessons[0].id}`, PHONE)
    await shot(page, 'phone-student-schedule-ru', '/schedule', PHONE)
    await ctx.close()
  }

  // A teacher.
  {
    const { ctx, page } = await session('shots-teacher', TEACHER)
    const courses = await api(page, '/courses')
    const course = (courses.items ?? courses)[0]
    const courseId = course.course?.id ?? course.id
    const queue = await api(page, '/grading-queue')
    const submissionId = queue[0]?.submission?.id
    for (const l of ['ru', 'en']) {
      await page.goto('/')
      await language(page, l)
      await shot(page, `teacher-dashboard-${l}`, '/')
      await shot(page, `teacher-grading-${l}`, '/grading')
      if (submissionId) await shot(page, `teacher-submission-${l}`, `/submissions/${submissionId}`)
      await shot(page, `teacher-gradebook-${l}`, `/courses/${courseId}/gradebook`)
      await shot(page, `teacher-statistics-${l}`, `/courses/${courseId}/statistics`)
    }
    await language(page, 'ru')
    await shot(page, 'phone-teacher-dashboard-ru', '/', PHONE)
    await ctx.close()
  }
}
