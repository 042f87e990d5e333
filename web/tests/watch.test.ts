// The dashboards' new cards: a student's latest announcements, and the
// staff's «Мои группы» with the students falling behind (lib/watch.ts).
import { describe, it, expect, beforeEach } from 'vitest'
import { mount, flushPromises, RouterLinkStub } from '@vue/test-utils'

import { fakeApi } from './fake-api'
import { session, type User } from '../src/session'
import { i18n, setLocale } from '../src/i18n'
import { ApiError } from '../src/api/http'
import { BEHIND_SHOWN, behindLine, behindTotal, groupLine, studentPath } from '../src/lib/watch'
import type { BehindStudent, WatchedGroup } from '../src/api/types'
import Dashboard from '../src/views/Dashboard.vue'

const api = fakeApi()

const opts = { global: { plugins: [i18n], stubs: { RouterLink: RouterLinkStub } } }
const user = (role: User['role']): User => ({ id: 'u1', email: 'u@x.test', display_name: 'Анна', role, locale: 'ru', time_zone: 'Europe/Moscow', active: true, created_at: '2026-01-01T00:00:00Z' })
const t = (k: string, p?: Record<string, unknown>) => i18n.global.t(k, p ?? {})
const when = (iso: string) => `«${iso.slice(0, 10)}»`
const behind = (id: string, name: string, overdue: number, last: string | null, inactive = false): BehindStudent => ({ student_id: id, display_name: name, overdue, last_activity: last, inactive })
const watched = (id: string, name: string, list: BehindStudent[], extra: Partial<WatchedGroup> = {}): WatchedGroup => ({
  course_id: 'c1', course_title: 'Алгебра', group_id: id, group_name: name, mentor: false, student_count: 10, behind: list, ...extra,
})
const links = (w: ReturnType<typeof mount>, test: string) => w.findAll(`[data-test=${test}]`).map((e) => e.getComponent(RouterLinkStub).props('to'))

beforeEach(() => {
  api.reset()
  setLocale('ru')
  session.checked = true
})

describe('lib/watch', () => {
  it('says why a student is behind', () => {
    expect(behindLine(behind('s1', 'Иван', 2, '2026-03-01T09:00:00Z'), t, when)).toBe('просрочено: 2 · последняя активность: «2026-03-01»')
    expect(behindLine(behind('s1', 'Иван', 0, null, true), t, when)).toBe('нет активности')
    expect(behindLine(behind('s1', 'Иван', 1, null), t, when)).toBe('просрочено: 1 · нет активности')
    setLocale('en')
    expect(behindLine(behind('s1', 'Ivan', 3, '2026-03-01T09:00:00Z'), t, when)).toBe('overdue: 3 · last active: «2026-03-01»')
    expect(behindLine(behind('s1', 'Ivan', 0, null), t, when)).toBe('no activity')
  })

  it('sums a group up and counts everyone behind', () => {
    const g = watched('g1', 'А', [behind('s1', 'Иван', 1, null), behind('s2', 'Мария', 0, null, true)])
    expect(groupLine(g, t)).toBe('Студентов: 10 · отстают: 2')
    expect(groupLine({ ...g, behind: [] }, t)).toBe('Студентов: 10 · все успевают')
    expect(groupLine({ student_count: 0, behind: [] }, t)).toBe('В группе пока нет студентов.')
    expect(behindTotal([g, { behind: [] }, { behind: [behind('s3', 'Олег', 0, null)] }])).toBe(3)
    expect(behindTotal([])).toBe(0)
    expect(studentPath('c1', 's1')).toBe('/courses/c1/students/s1')
  })
})

describe('the student dashboard', () => {
  const dash = (extra: object) => ({ courses: [], homework: [], upcoming_deadlines: [], upcoming_webinars: [], recent_grades: [], achievements: [], quiz_results: [], next_steps: [], ...extra })
  const item = (id: string, course: string, title: string) => ({
    course_title: course === 'c1' ? 'Алгебра' : 'Физика',
    announcement: { id, course_id: course, author_id: 'u9', author_name: 'Анна Петровна', title, body: '', group_ids: [], created_at: '2026-03-01T09:00:00Z' },
  })

  it('lists the latest announcements, each leading to its course\'s section', async () => {
    session.user = user('student')
    api.get.mockImplementation(async (p: string) => {
      if (p === '/dashboard/student') return dash({ announcements: [item('n2', 'c2', 'Лабораторная'), item('n1', 'c1', 'Контрольная')] })
      throw new Error(`unexpected GET ${p}`)
    })
    const w = mount(Dashboard, opts)
    await flushPromises()
    const rows = w.findAll('[data-test=dashboard-announcement]')
    expect(rows.map((r) => r.text().replace(/\s+/g, ' '))).toEqual([expect.stringMatching(/^Лабораторная · Физика · /), expect.stringMatching(/^Контрольная · Алгебра · /)])
    expect(links(w, 'dashboard-announcement')).toEqual(['/courses/c2#announcements', '/courses/c1#announcements'])
    expect(w.get('[data-test=dashboard-announcements] h2').text()).toBe('Объявления')
    // A student has no «Мои группы».
    expect(w.find('[data-test=watched-groups]').exists()).toBe(false)
    expect(api.requests.some((r) => r.path.startsWith('/dashboard/groups'))).toBe(false)
  })

  it('says when there are none (and copes with a server that sends no list)', async () => {
    session.user = user('student')
    api.get.mockImplementation(async () => dash({}))
    const w = mount(Dashboard, opts)
    await flushPromises()
    expect(w.get('[data-test=dashboard-announcements-empty]').text()).toBe('Объявлений пока нет.')
  })
})

describe('«Мои группы» on the staff dashboard', () => {
  function serve(groups: WatchedGroup[] | ApiError) {
    api.get.mockImplementation(async (p: string) => {
      if (p === '/dashboard/staff') return { queue: [], upcoming_webinars: [], courses: [] }
      if (p.startsWith('/dashboard/groups')) {
        if (groups instanceof ApiError) throw groups
        return groups
      }
      throw new Error(`unexpected GET ${p}`)
    })
  }

  it('lists each group with the students behind, each leading to their page', async () => {
    session.user = user('assistant')
    serve([
      watched('g1', 'Группа А', [behind('s1', 'Иван Петров', 2, '2026-03-01T09:00:00Z'), behind('s2', 'Мария', 0, null, true)], { mentor: true }),
      watched('g2', 'Группа Б', [], { course_id: 'c2', course_title: 'Физика', student_count: 4 }),
    ])
    const w = mount(Dashboard, opts)
    await flushPromises()
    expect(api.requests.map((r) => r.path)).toContain('/dashboard/groups?inactive_days=7')
    expect(w.get('[data-test=watched-groups] h2').text()).toBe('Мои группы')
    const groups = w.findAll('[data-test=watched-group]')
    expect(groups.length).toBe(2)
    expect(groups[0].text()).toContain('Алгебра')
    expect(groups[0].text()).toContain('Группа А')
    expect(groups[0].text()).toContain('ваша группа')
    expect(groups[0].get('[data-test=watched-line]').text()).toBe('Студентов: 10 · отстают: 2')
    expect(groups[1].get('[data-test=watched-line]').text()).toBe('Студентов: 4 · все успевают')
    expect(links(w, 'behind-link')).toEqual(['/courses/c1/students/s1', '/courses/c1/students/s2'])
    expect(w.findAll('[data-test=behind-line]').map((e) => e.text())).toEqual([expect.stringMatching(/^просрочено: 2 · последняя активность: /), 'нет активности'])
    expect(w.get('[data-test=watched-summary]').text()).toContain('больше 7 дней')
  })

  it('shows a few per group, then all of them', async () => {
    session.user = user('teacher')
    serve([watched('g1', 'Группа А', Array.from({ length: BEHIND_SHOWN + 2 }, (_, i) => behind(`s${i}`, `Ученик ${i}`, 1, null)))])
    const w = mount(Dashboard, opts)
    await flushPromises()
    expect(w.findAll('[data-test=behind-student]').length).toBe(BEHIND_SHOWN)
    await w.get('[data-test=behind-more]').trigger('click')
    expect(w.findAll('[data-test=behind-student]').length).toBe(BEHIND_SHOWN + 2)
    expect(w.find('[data-test=behind-more]').exists()).toBe(false)
  })

  it('is friendly when there are no groups, or nobody is behind', async () => {
    session.user = user('teacher')
    serve([])
    let w = mount(Dashboard, opts)
    await flushPromises()
    expect(w.get('[data-test=watched-empty]').text()).toContain('Групп пока нет')
    serve([watched('g1', 'Группа А', [])])
    w = mount(Dashboard, opts)
    await flushPromises()
    expect(w.get('[data-test=watched-summary]').text()).toBe('Все студенты успевают: просрочек и долгих перерывов нет.')
    expect(w.find('[data-test=behind-student]').exists()).toBe(false)
  })

  it('a failure stays in its card; the rest of the dashboard shows', async () => {
    session.user = user('teacher')
    serve(new ApiError(500, 'internal', 'boom'))
    const w = mount(Dashboard, opts)
    await flushPromises()
    expect(w.get('[data-test=watched-error]').text()).toBe('Ошибка на сервере. Попробуйте позже.')
    expect(w.text()).toContain('Проверка работ')
  })

  it('the queue names each student with a link to their page', async () => {
    session.user = user('teacher')
    const item = { student_name: 'Иван Петров', submission_id: 'sub1', assignment_id: 'a1', assignment_title: 'ДЗ 1', course_id: 'c1', course_title: 'Алгебра', student_id: 'st1', state: 'submitted', version: 1, submitted_at: '2026-03-01T09:00:00Z', late: false }
    api.get.mockImplementation(async (p: string) => (p === '/dashboard/staff' ? { queue: [item], upcoming_webinars: [], courses: [] } : []))
    const w = mount(Dashboard, opts)
    await flushPromises()
    const row = w.get('[data-test=dashboard-queue-item]')
    expect(row.get('[data-test=queue-student]').getComponent(RouterLinkStub).props('to')).toBe('/courses/c1/students/st1')
    expect(row.findAllComponents(RouterLinkStub).map((l) => l.props('to'))).toContain('/submissions/sub1')
  })
})
