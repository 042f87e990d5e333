import { describe, it, expect, beforeEach } from 'vitest'
import { mount, flushPromises, RouterLinkStub } from '@vue/test-utils'

import { fakeApi } from './fake-api'
import { session, type User } from '../src/session'
import { i18n, setLocale } from '../src/i18n'
import Dashboard from '../src/views/Dashboard.vue'

const api = fakeApi()

const student: User = { id: 'u1', email: 'u@x.test', display_name: 'Анна', role: 'student', locale: 'ru', time_zone: 'Europe/Moscow', active: true, created_at: '2026-01-01T00:00:00Z' }
const opts = { global: { plugins: [i18n], stubs: { RouterLink: RouterLinkStub } } }
const step = (kind: string, title: string, extra: object = {}) => ({
  kind, title, course_id: 'c1', course_title: 'Алгебра', at: null, assignment_id: null, quiz_id: null, webinar_id: null, in_progress: false, lessons: null, ...extra,
})
// As lms-core `dashboard::next` orders them: rework, overdue, soon by time, open quizzes, lessons.
const steps = [
  step('rework', 'Сочинение', { assignment_id: 'a1', at: '2026-03-05T20:59:00Z' }),
  step('overdue', 'Уравнения', { assignment_id: 'a2', at: '2026-02-28T20:59:00Z' }),
  step('quiz', 'Тест 3', { quiz_id: 'q3', at: '2026-03-02T20:59:00Z', in_progress: true }),
  step('webinar', 'Разбор', { webinar_id: 'w1', at: '2026-03-01T15:00:00Z' }),
  step('lessons', 'Алгебра', { lessons: [2, 5] }),
]

function serve(next: object[]) {
  api.get.mockImplementation(async (p: string) => {
    if (p === '/dashboard/student') return { courses: [], homework: [], upcoming_deadlines: [], upcoming_webinars: [], recent_grades: [], achievements: [], quiz_results: [], next_steps: next }
    throw new Error(`unexpected GET ${p}`)
  })
}

beforeEach(() => {
  api.get.mockReset()
  setLocale('ru')
  session.checked = true
  session.user = student
})

describe('what to do next (#13)', () => {
  it('lists the server\'s steps in its order, each linked to its page, in Russian', async () => {
    serve(steps)
    const w = mount(Dashboard, opts)
    await flushPromises()
    const items = w.findAll('[data-test=next-step]')
    expect(items.map((i) => i.attributes('data-kind'))).toEqual(['rework', 'overdue', 'quiz', 'webinar', 'lessons'])
    const links = items.map((i) => i.getComponent(RouterLinkStub).props('to'))
    expect(links).toEqual(['/assignments/a1', '/assignments/a2', '/quizzes/q3', '/schedule', '/courses/c1'])
    expect(items[0].text()).toContain('Доработать по замечаниям: Сочинение')
    expect(items[1].text()).toContain('Сдать, срок уже прошёл')
    expect(items[1].find('.text-danger').exists()).toBe(true)
    expect(items[2].text()).toContain('Завершить начатый тест: Тест 3')
    expect(items[2].text()).toContain('открыт до')
    expect(items[4].text()).toContain('прочитано 2 из 5')
    expect(w.text()).not.toMatch(/next\.\w+/)
  })

  it('says when there is nothing to do', async () => {
    serve([])
    const w = mount(Dashboard, opts)
    await flushPromises()
    expect(w.get('[data-test=next-steps-empty]').text()).toBe('Всё сделано: новых дел пока нет.')
  })

  it('reads in English too', async () => {
    setLocale('en')
    serve(steps.slice(0, 1))
    const w = mount(Dashboard, opts)
    await flushPromises()
    expect(w.get('[data-test=next-steps]').text()).toContain('What to do next')
    expect(w.get('[data-test=next-step]').text()).toContain('Rework as asked: Сочинение')
  })
})
