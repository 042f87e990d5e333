import { describe, it, expect, vi, beforeEach } from 'vitest'
import { mount, flushPromises, RouterLinkStub } from '@vue/test-utils'

vi.mock('vue-router', async (orig) => ({ ...(await orig<typeof import('vue-router')>()), useRouter: () => ({ push: vi.fn() }) }))
import { fakeApi } from './fake-api'
import { session, type User } from '../src/session'
import { i18n, setLocale } from '../src/i18n'
import type { CourseRole } from '../src/api/types'
import Course from '../src/views/Course.vue'
import Lesson from '../src/views/Lesson.vue'
import Assignment from '../src/views/Assignment.vue'
import Quiz from '../src/views/Quiz.vue'
import { courseView } from './course-view'

const api = fakeApi()

const opts = { global: { plugins: [i18n], stubs: { RouterLink: RouterLinkStub, RichEditor: true, InvitationList: true, StaffSubmissions: true, CourseStudentPicker: true } } }
const user = (role: User['role']): User => ({ id: 'u1', email: 'u@x.test', display_name: 'Анна', role, locale: 'ru', time_zone: 'Europe/Moscow', active: true, created_at: '2026-01-01T00:00:00Z' })
const course = { id: 'c1', title: 'Алгебра', description: '', owner_id: 'u9', status: 'draft' as const, invite_code: 'ABCD2345', cover: null, created_at: '2026-01-01T00:00:00Z' }
const lesson = { id: 'l1', course_id: 'c1', title: 'Урок 1', body: '<p>Текст</p>', position: 0, publish_at: null, published: true, attachments: [], created_at: '2026-01-02T00:00:00Z' }
const assignment = { id: 'a1', course_id: 'c1', title: 'ДЗ 1', instructions: '', attachments: [], opens_at: '2026-01-01T00:00:00Z', due_at: '2026-02-01T00:00:00Z', cut_off_at: null, max_score: 10, late_policy: { kind: 'no_penalty' }, submission_kind: 'text', file_limits: { max_files: 1, max_file_size: 1024, allowed_extensions: [] }, published: true, created_at: '2026-01-01T00:00:00Z' }
const quiz = { quiz: { id: 'q1', course_id: 'c1', title: 'Тест', description: '', settings: {} }, question_count: 3, max_score: 3, attempts: [], open_attempt: null, can_start_now: false, quiz_score: null }

/** The server as a caller with this course role (and these flags) sees it. */
function serve(role: CourseRole | null) {
  api.get.mockImplementation(async (p: string) => {
    if (p === '/courses/c1') return courseView(course, role)
    if (p === '/courses/c1/lessons') return [lesson]
    if (p === '/lessons/l1') return lesson
    if (p === '/assignments/a1') return { assignment, deadline: { due_at: assignment.due_at, cut_off_at: null }, status: null, submission: null }
    if (p === '/quizzes/q1') return structuredClone(quiz)
    return []
  })
}

// Everything only a manager (the owner, an admin) may do on the course page.
const MANAGE = ['edit-course', 'publish', 'rotate-code', 'new-lesson', 'new-assignment', 'new-quiz', 'new-webinar']

async function coursePage() {
  const w = mount(Course, { props: { id: 'c1' }, ...opts })
  await flushPromises()
  const shown = (test: string) => w.find(`[data-test=${test}]`).exists()
  const onTabs = async (test: string) => {
    for (const tab of ['lessons', 'assignments', 'quizzes', 'webinars']) {
      await w.get(`[data-test=tab-${tab}]`).trigger('click')
      if (shown(test)) return true
    }
    return shown(test)
  }
  return { w, shown, onTabs }
}

beforeEach(() => {
  api.get.mockReset()
  setLocale('ru')
  session.checked = true
})

describe('buttons follow the API\'s can_* flags (#16)', () => {
  it('the owner sees every edit and manage button', async () => {
    session.user = user('teacher')
    serve('owner')
    const { w, onTabs } = await coursePage()
    for (const test of MANAGE) expect(await onTabs(test), test).toBe(true)
    expect(w.find('[data-test=to-gradebook]').exists()).toBe(true)
  })

  it('an assistant grades but sees no edit button the API would refuse', async () => {
    session.user = user('assistant')
    serve('assistant')
    const { w, onTabs } = await coursePage()
    for (const test of MANAGE) expect(await onTabs(test), test).toBe(false)
    // Grading stays: the gradebook and the students tab, read only.
    expect(w.find('[data-test=to-gradebook]').exists()).toBe(true)
    await w.get('[data-test=tab-students]').trigger('click')
    await flushPromises()
    expect(w.find('[data-test=student-search]').exists()).toBe(false)
    expect(w.find('[data-test=assistant-search]').exists()).toBe(false)
  })

  it('a teacher who assists a course is an assistant there: the flags, not the school role, decide', async () => {
    session.user = user('teacher')
    serve('assistant')
    const { onTabs } = await coursePage()
    for (const test of MANAGE) expect(await onTabs(test), test).toBe(false)
  })

  it('an admin who is not a member manages', async () => {
    session.user = user('admin')
    serve(null)
    const { onTabs } = await coursePage()
    for (const test of MANAGE) expect(await onTabs(test), test).toBe(true)
  })

  it('lesson, assignment and quiz pages offer editing to the owner only', async () => {
    for (const [role, edits] of [['owner', true], ['assistant', false]] as const) {
      session.user = user(role === 'owner' ? 'teacher' : 'assistant')
      serve(role)
      const lessonPage = mount(Lesson, { props: { id: 'l1' }, ...opts })
      const assignmentPage = mount(Assignment, { props: { id: 'a1' }, ...opts })
      const quizPage = mount(Quiz, { props: { id: 'q1' }, ...opts })
      await flushPromises()
      expect(lessonPage.find('[data-test=lesson-title]').exists(), role).toBe(true)
      expect(lessonPage.find('[data-test=edit-lesson]').exists(), `${role} lesson`).toBe(edits)
      expect(assignmentPage.find('[data-test=assignment-title]').exists(), role).toBe(true)
      expect(assignmentPage.find('[data-test=edit-assignment]').exists(), `${role} assignment`).toBe(edits)
      expect(quizPage.find('[data-test=edit-quiz]').exists(), `${role} quiz`).toBe(edits)
    }
  })
})
