import { describe, it, expect, beforeEach } from 'vitest'
import { mount, flushPromises, RouterLinkStub } from '@vue/test-utils'

import { fakeApi } from './fake-api'
import { session, type User } from '../src/session'
import { i18n, setLocale } from '../src/i18n'
import { COVERS, COVER_ICONS, coverOf } from '../src/lib/covers'
import ru from '../src/locales/ru.json'
import en from '../src/locales/en.json'
import Courses from '../src/views/Courses.vue'
import Course from '../src/views/Course.vue'
import { courseView } from './course-view'

const api = fakeApi()

const opts = { global: { plugins: [i18n], stubs: { RouterLink: RouterLinkStub, RichEditor: true } } }
const user = (role: User['role']): User => ({ id: 'u1', email: 'u@x.test', display_name: 'Анна', role, locale: 'ru', time_zone: 'Europe/Moscow', active: true, created_at: '2026-01-01T00:00:00Z' })
const course = (id: string, title: string, cover: string | null = null) => ({ id, title, description: '', owner_id: 'u1', status: 'published', invite_code: 'ABCD2345', cover, created_at: '2026-01-01T00:00:00Z' })

beforeEach(() => {
  api.get.mockReset()
  api.put.mockReset()
  setLocale('ru')
  session.checked = true
})

describe('course covers (#13)', () => {
  it('use the chosen theme, else one the title names, else a stable one by id', () => {
    expect(coverOf(course('c1', 'Алгебра', 'music'))).toBe('music')
    expect(coverOf(course('c1', 'Алгебра, 9 класс'))).toBe('math')
    expect(coverOf(course('c1', 'Физика для всех'))).toBe('physics')
    expect(coverOf(course('c1', 'Подготовка к ЕГЭ'))).toBe('exam')
    expect(coverOf(course('c1', 'English B2'))).toBe('languages')
    const a = coverOf(course('00000000-0000-0000-0000-000000000001', 'Кружок'))
    expect(COVERS).toContain(a)
    expect(coverOf(course('00000000-0000-0000-0000-000000000001', 'Кружок'))).toBe(a)
    // A theme the UI does not know (a newer server) falls back.
    expect(COVERS).toContain(coverOf(course('c1', 'Кружок', 'space')))
  })

  it('have a picture and a name in both languages for every theme', () => {
    for (const c of COVERS) {
      expect(COVER_ICONS[c]).toMatch(/^[a-z-]+$/)
      expect((ru.cover.names as Record<string, string>)[c]).toBeTruthy()
      expect((en.cover.names as Record<string, string>)[c]).toBeTruthy()
    }
  })

  it('top each course card, with the student\'s progress', async () => {
    session.user = user('student')
    api.get.mockImplementation(async (p: string) => {
      if (p.startsWith('/courses?')) return [courseView(course('c1', 'Физика', 'physics'), 'student'), courseView(course('c2', 'Алгебра'), 'student')]
      if (p === '/dashboard/student') return { courses: [{ course_id: 'c1', percent: 40 }, { course_id: 'c2', percent: 0 }] }
      throw new Error(`unexpected GET ${p}`)
    })
    const w = mount(Courses, opts)
    await flushPromises()
    const cards = w.findAll('[data-test=course-card]')
    expect(cards.map((c) => c.get('[data-test=course-cover]').attributes('data-cover'))).toEqual(['physics', 'math'])
    expect(cards[0].get('[data-test=course-cover]').attributes('aria-hidden')).toBe('true')
    expect(cards[0].get('[data-test=card-progress]').text()).toContain('Пройдено')
    expect(cards[0].get('[data-test=card-progress]').text()).toContain('40\u00a0%')
    expect(cards[1].get('[data-test=card-progress] [role=progressbar]').attributes('aria-valuenow')).toBe('0')
  })

  it('are chosen by the owner on the course page and saved through the API', async () => {
    session.user = user('teacher')
    let current: string | null = null
    api.get.mockImplementation(async (p: string) => {
      if (p === '/courses/c1') return courseView(course('c1', 'Кружок', current), 'owner')
      return []
    })
    api.put.mockImplementation(async (_p: string, body?: unknown) => {
      current = (body as { cover: string | null }).cover
      return course('c1', 'Кружок', current)
    })
    const w = mount(Course, { props: { id: 'c1' }, ...opts })
    await flushPromises()
    await w.get('[data-test=edit-course]').trigger('click')
    const choices = w.findAll('[data-test=cover-picker] button')
    expect(choices.length).toBe(COVERS.length + 1)
    expect(w.get('[data-test=cover-picker] [data-cover=auto]').attributes('aria-pressed')).toBe('true')
    expect(w.get('[data-test=cover-picker] [data-cover=art]').text()).toBe('Искусство и дизайн')
    await w.get('[data-test=cover-picker] [data-cover=art]').trigger('click')
    await flushPromises()
    expect(api.put).toHaveBeenCalledWith('/courses/c1/cover', { cover: 'art' })
    expect(w.get('[data-test=course-cover]').attributes('data-cover')).toBe('art')
  })
})
