// Groups with mentors: the groups page for the owner and for a mentor, the
// group filter on the gradebook and the grading queue, and lib/groups.ts.
import { describe, it, expect, beforeEach } from 'vitest'
import { mount, flushPromises, RouterLinkStub } from '@vue/test-utils'

import { fakeApi } from './fake-api'
import { session, type User } from '../src/session'
import { i18n, setLocale } from '../src/i18n'
import { confirmState, settleConfirm } from '../src/lib/confirm'
import { toasts, clearToasts } from '../src/lib/toast'
import { ordered, filterable, countByGroup, groupOf } from '../src/lib/groups'
import { USERS_PAGE } from '../src/lib/directory'
import type { CourseRole, Group, GroupMember } from '../src/api/types'
import CourseGroups from '../src/views/CourseGroups.vue'
import Gradebook from '../src/views/Gradebook.vue'
import GradingQueue from '../src/views/GradingQueue.vue'
import { courseView } from './course-view'

const api = fakeApi()

const opts = { global: { plugins: [i18n], stubs: { RouterLink: RouterLinkStub } } }
const account = (id: string, role: User['role'], name: string): User => ({ id, email: `${id}@x.test`, display_name: name, role, locale: 'ru', time_zone: 'Europe/Moscow', active: true, created_at: '2026-01-01T00:00:00Z' })
const teacher = account('u1', 'teacher', 'Анна Петровна')
const mentor = account('m1', 'assistant', 'Борис Ментор')
const otherAssistant = account('m2', 'assistant', 'Вера Ассистент')
const course = { id: 'c1', title: 'Алгебра', description: '', owner_id: 'u1', status: 'published', invite_code: 'ABCD2345', cover: null, created_at: '2026-01-01T00:00:00Z' }
const student = (i: number) => ({ user: account(`s${i}`, 'student', `Ученик ${i}`), enrolled_at: '2026-01-02T00:00:00Z', source: 'staff' })
const group = (id: string, name: string, mentors: string[], extra: Partial<Group> = {}): Group => ({
  id,
  course_id: 'c1',
  name,
  invite_code: `CODE${id.toUpperCase()}`,
  mentors,
  archived_at: null,
  created_at: '2026-01-03T00:00:00Z',
  ...extra,
})

/** The server for a caller with `role` in the course; `groups` and `members` are what it stores. */
function serve(role: CourseRole | null, groups: Group[], members: GroupMember[]) {
  api.get.mockImplementation(async (p: string) => {
    if (p === '/courses/c1') return courseView(course, role)
    if (p === '/courses/c1/groups') return structuredClone(groups)
    if (p === '/courses/c1/group-members') return structuredClone(members)
    if (p === '/courses/c1/assistants') return [mentor, otherAssistant]
    if (p.startsWith('/courses/c1/students?')) {
      const gid = new URLSearchParams(p.split('?')[1]).get('group_id')
      const all = [student(1), student(2), student(3)]
      return gid ? all.filter((s) => members.some((m) => m.student_id === s.user.id && m.group_id === gid)) : all
    }
    if (p === '/courses/c1/students/s1/group-history')
      return [
        { course_id: 'c1', student_id: 's1', from_group: null, to_group: 'g1', moved_by: 's1', moved_at: '2026-01-04T09:00:00Z' },
        { course_id: 'c1', student_id: 's1', from_group: 'g1', to_group: 'g2', moved_by: 'u1', moved_at: '2026-01-05T09:00:00Z' },
      ]
    return []
  })
  api.post.mockImplementation(async (p: string, body?: unknown) => {
    if (p === '/courses/c1/member-names') return [{ user_id: 'u1', display_name: teacher.display_name }]
    if (p === '/courses/c1/groups') {
      const b = body as { name: string; mentor_ids: string[] }
      return group('g9', b.name, b.mentor_ids, { invite_code: 'GRPA2345' })
    }
    if (p === '/groups/g1/invite-code') return group('g1', 'Группа А', ['m1'], { invite_code: 'NEWC0DE1' })
    return undefined
  })
  api.put.mockImplementation(async (p: string, body?: unknown) => {
    const m = /^\/courses\/c1\/students\/(\w+)\/group$/.exec(p)
    if (m) return { student_id: m[1], group_id: (body as { group_id: string | null }).group_id }
    return undefined
  })
  api.patch.mockImplementation(async (p: string, body?: unknown) => {
    const g = groups.find((x) => p === `/groups/${x.id}`)
    if (!g) return undefined
    const b = body as { name?: string; mentor_ids?: string[]; archived?: boolean }
    return { ...g, ...(b.name ? { name: b.name } : {}), ...(b.mentor_ids ? { mentors: b.mentor_ids } : {}), ...(b.archived != null ? { archived_at: b.archived ? '2026-02-01T00:00:00Z' : null } : {}) }
  })
}

const text = (w: ReturnType<typeof mount>, test: string) => w.findAll(`[data-test=${test}]`).map((e) => e.text())
const sent = (method: string, path: string) => api.requests.filter((r) => r.method === method && r.path === path)

beforeEach(() => {
  api.reset()
  setLocale('ru')
  clearToasts()
  settleConfirm(false)
  session.checked = true
  session.user = teacher
})

describe('the groups page: the owner', () => {
  it('creates a group with a mentor and sees its code', async () => {
    serve('owner', [], [])
    const w = mount(CourseGroups, { props: { id: 'c1' }, ...opts })
    await flushPromises()
    expect(w.get('h1').text()).toBe('Группы: Алгебра')
    expect(w.get('[data-test=empty]').text()).toContain('Групп пока нет')
    await w.get('[data-test=group-create-name]').setValue('  Группа А ')
    await w.get('[data-test=group-create-mentor-m1]').setValue(true)
    await w.get('[data-test=group-create-form]').trigger('submit')
    await flushPromises()
    expect(sent('POST', '/courses/c1/groups')[0].body).toEqual({ name: 'Группа А', mentor_ids: ['m1'] })
    const card = w.get('[data-test=group-card]')
    expect(card.get('[data-test=group-name]').text()).toBe('Группа А')
    expect(card.get('[data-test=group-code]').text()).toBe('GRPA2345')
    expect(card.get('[data-test=group-mentors]').text()).toBe('Борис Ментор')
    expect(card.get('[data-test=group-count]').text()).toBe('Студентов: 0')
    expect(toasts.map((t) => t.text)).toContain('Группа «Группа А» создана.')
    // The form is ready for the next group.
    expect((w.get('[data-test=group-create-name]').element as HTMLInputElement).value).toBe('')
  })

  it('moves a student into a group and out of every group', async () => {
    serve('owner', [group('g1', 'Группа А', ['m1']), group('g2', 'Группа Б', [])], [{ student_id: 's2', group_id: 'g2' }])
    const w = mount(CourseGroups, { props: { id: 'c1' }, ...opts })
    await flushPromises()
    expect(api.requests.some((r) => r.path === `/courses/c1/students?limit=${USERS_PAGE + 1}&offset=0`)).toBe(true)
    const selects = w.findAll('[data-test=student-group-select]')
    expect(selects.length).toBe(3)
    expect((selects[1].element as HTMLSelectElement).value).toBe('g2')
    expect(selects[0].findAll('option').map((o) => o.text())).toEqual(['без группы', 'Группа А', 'Группа Б'])

    await selects[0].setValue('g1')
    await flushPromises()
    expect(sent('PUT', '/courses/c1/students/s1/group')[0].body).toEqual({ group_id: 'g1' })
    expect(text(w, 'group-count')).toEqual(['Студентов: 1', 'Студентов: 1'])
    expect(toasts.map((t) => t.text)).toContain('Ученик 1 теперь в группе «Группа А».')

    await w.findAll('[data-test=student-group-select]')[1].setValue('')
    await flushPromises()
    expect(sent('PUT', '/courses/c1/students/s2/group')[0].body).toEqual({ group_id: null })
    expect(text(w, 'group-count')).toEqual(['Студентов: 1', 'Студентов: 0'])
  })

  it('a refused move says why and puts the select back', async () => {
    serve('owner', [group('g1', 'Группа А', [])], [])
    const { ApiError } = await import('../src/api/http')
    api.put.mockImplementation(async () => {
      throw new ApiError(409, 'group_changed', 'the student\'s group changed meanwhile')
    })
    const w = mount(CourseGroups, { props: { id: 'c1' }, ...opts })
    await flushPromises()
    const select = w.findAll('[data-test=student-group-select]')[0]
    await select.setValue('g1')
    await flushPromises()
    expect(w.get('[data-test=move-error]').text()).toContain('Группу студента только что изменил кто-то другой')
    expect((select.element as HTMLSelectElement).value).toBe('')
  })

  it('renames, renews the code, archives after asking and brings back', async () => {
    const groups = [group('g1', 'Группа А', ['m1']), group('g2', 'Группа Б', [])]
    serve('owner', groups, [])
    const w = mount(CourseGroups, { props: { id: 'c1' }, ...opts })
    await flushPromises()
    const first = () => w.findAll('[data-test=group-card]')[0]

    await first().get('[data-test=group-rename]').trigger('click')
    await first().get('[data-test=group-rename-input]').setValue('Группа А1')
    await first().get('form').trigger('submit')
    await flushPromises()
    expect(sent('PATCH', '/groups/g1')[0].body).toEqual({ name: 'Группа А1' })
    expect(first().get('[data-test=group-name]').text()).toBe('Группа А1')

    await first().get('[data-test=group-rotate]').trigger('click')
    await flushPromises()
    expect(first().get('[data-test=group-code]').text()).toBe('NEWC0DE1')

    await w.findAll('[data-test=group-card]')[1].get('[data-test=group-mentors-edit]').trigger('click')
    await w.get('[data-test=group-mentor-m2]').setValue(true)
    await w.get('[data-test=group-mentors-form]').trigger('submit')
    await flushPromises()
    expect(sent('PATCH', '/groups/g2')[0].body).toEqual({ mentor_ids: ['m2'] })
    expect(w.findAll('[data-test=group-mentors]')[1].text()).toBe('Вера Ассистент')

    await first().get('[data-test=group-archive]').trigger('click')
    expect(confirmState.current?.title).toBe('Перенести группу «Группа А» в архив?')
    settleConfirm(true)
    await flushPromises()
    expect(sent('PATCH', '/groups/g1').at(-1)?.body).toEqual({ archived: true })
    // Archived groups go last, marked, without a working code.
    const cards = w.findAll('[data-test=group-card]')
    expect(cards.map((c) => c.attributes('data-archived'))).toEqual(['false', 'true'])
    expect(cards[1].find('[data-test=group-archived]').exists()).toBe(true)
    expect(cards[1].find('[data-test=group-code]').exists()).toBe(false)
    await cards[1].get('[data-test=group-restore]').trigger('click')
    await flushPromises()
    expect(sent('PATCH', '/groups/g1').at(-1)?.body).toEqual({ archived: false })
  })

  it('filters the students by group on the server and shows a student\'s moves', async () => {
    serve('owner', [group('g1', 'Группа А', []), group('g2', 'Группа Б', [])], [{ student_id: 's1', group_id: 'g2' }])
    const w = mount(CourseGroups, { props: { id: 'c1' }, ...opts })
    await flushPromises()
    await w.get('[data-test=group-filter]').setValue('g2')
    await flushPromises()
    expect(api.requests.at(-1)?.path).toBe(`/courses/c1/students?limit=${USERS_PAGE + 1}&offset=0&group_id=g2`)
    expect(w.findAll('[data-test=group-student-row]').map((r) => r.attributes('data-email'))).toEqual(['s1@x.test'])

    await w.get('[data-test=student-history-toggle]').trigger('click')
    await flushPromises()
    const moves = text(w, 'history-move')
    expect(moves.length).toBe(2)
    expect(moves[0]).toContain('без группы → Группа А')
    expect(moves[0]).toContain('сам, по коду группы')
    expect(moves[1]).toContain('Группа А → Группа Б')
    expect(moves[1]).toContain('перевёл: Анна Петровна')
    await w.get('[data-test=student-history-toggle]').trigger('click')
    expect(w.find('[data-test=student-history]').exists()).toBe(false)

    await w.get('[data-test=group-filter]').setValue('g1')
    await flushPromises()
    expect(w.get('[data-test=empty]').text()).toBe('В этой группе пока нет студентов.')
  })
})

describe('the groups page: a mentor', () => {
  it('reads: no create form, no moves, only their own groups\' codes', async () => {
    session.user = mentor
    serve('assistant', [group('g1', 'Группа А', ['m1']), group('g2', 'Группа Б', ['m2'], { invite_code: null })], [{ student_id: 's1', group_id: 'g1' }])
    const w = mount(CourseGroups, { props: { id: 'c1' }, ...opts })
    await flushPromises()
    expect(w.find('[data-test=group-create-form]').exists()).toBe(false)
    expect(w.find('[data-test=group-create-name]').exists()).toBe(false)
    expect(w.find('[data-test=student-group-select]').exists()).toBe(false)
    for (const test of ['group-rename', 'group-archive', 'group-rotate', 'group-mentors-edit']) expect(w.find(`[data-test=${test}]`).exists(), test).toBe(false)
    const [mine, other] = w.findAll('[data-test=group-card]')
    expect(mine.get('[data-test=group-code]').text()).toBe('CODEG1')
    expect(mine.find('[data-test=group-mine]').exists()).toBe(true)
    expect(mine.get('[data-test=group-count]').text()).toBe('Студентов: 1')
    expect(other.find('[data-test=group-code]').exists()).toBe(false)
    expect(other.find('[data-test=group-code-hidden]').exists()).toBe(true)
    expect(other.find('[data-test=group-count]').exists()).toBe(false)
    // The group is shown as text; the filter offers only their groups.
    expect(text(w, 'student-group')[0]).toBe('Группа А')
    expect(w.get('[data-test=group-filter]').findAll('option').map((o) => o.text())).toEqual(['Все группы', 'Группа А'])
    expect(w.find('[data-test=groups-read-only]').exists()).toBe(true)
  })
})

describe('the group filter elsewhere', () => {
  const gradebook = { columns: [], rows: [] }

  it('the gradebook asks for the chosen group and its CSV link carries it', async () => {
    serve('owner', [group('g1', 'Группа А', []), group('g2', 'Группа Б', [], { archived_at: '2026-02-01T00:00:00Z' })], [])
    const served = api.get.getMockImplementation()!
    api.get.mockImplementation(async (p: string) => (p.startsWith('/courses/c1/gradebook') ? gradebook : served(p)))
    const w = mount(Gradebook, { props: { id: 'c1' }, ...opts })
    await flushPromises()
    expect(api.requests.filter((r) => r.path.startsWith('/courses/c1/gradebook')).map((r) => r.path)).toEqual(['/courses/c1/gradebook'])
    expect(w.get('[data-test=gradebook-csv]').attributes('href')).toBe('/api/v1/courses/c1/gradebook.csv')
    expect(w.get('[data-test=group-filter]').findAll('option').map((o) => o.text())).toEqual(['Все группы', 'Группа А', 'Группа Б (в архиве)'])

    await w.get('[data-test=group-filter]').setValue('g1')
    await flushPromises()
    expect(api.requests.at(-1)?.path).toBe('/courses/c1/gradebook?group_id=g1')
    expect(w.get('[data-test=gradebook-csv]').attributes('href')).toBe('/api/v1/courses/c1/gradebook.csv?group_id=g1')
    expect(w.get('[data-test=empty]').text()).toBe('В этой группе пока нет студентов.')

    await w.get('[data-test=group-filter]').setValue('')
    await flushPromises()
    expect(api.requests.at(-1)?.path).toBe('/courses/c1/gradebook')
  })

  it('the gradebook of a course without groups has no filter', async () => {
    serve('owner', [], [])
    const served = api.get.getMockImplementation()!
    api.get.mockImplementation(async (p: string) => (p.startsWith('/courses/c1/gradebook') ? gradebook : served(p)))
    const w = mount(Gradebook, { props: { id: 'c1' }, ...opts })
    await flushPromises()
    expect(w.find('[data-test=group-filter]').exists()).toBe(false)
  })

  it('the grading queue offers the groups once a course is chosen', async () => {
    const other = { ...course, id: 'c2', title: 'Геометрия' }
    serve('owner', [group('g1', 'Группа А', [])], [])
    const served = api.get.getMockImplementation()!
    api.get.mockImplementation(async (p: string) => {
      if (p.startsWith('/courses?')) return [courseView(course, 'owner'), courseView(other, 'owner')]
      if (p.startsWith('/grading-queue')) return []
      if (p === '/courses/c2/groups') return []
      return served(p)
    })
    const w = mount(GradingQueue, { ...opts })
    await flushPromises()
    expect(w.find('[data-test=group-filter]').exists()).toBe(false)
    await w.get('[data-test=queue-course]').setValue('c1')
    await flushPromises()
    await w.get('[data-test=group-filter]').setValue('g1')
    await flushPromises()
    expect(api.requests.at(-1)?.path).toBe('/grading-queue?limit=51&offset=0&course_id=c1&group_id=g1')
    // Another course: its groups (none here), the group choice gone.
    await w.get('[data-test=queue-course]').setValue('c2')
    await flushPromises()
    expect(w.find('[data-test=group-filter]').exists()).toBe(false)
    expect(api.requests.filter((r) => r.path.startsWith('/grading-queue')).at(-1)?.path).toBe('/grading-queue?limit=51&offset=0&course_id=c2')
  })
})

describe('lib/groups', () => {
  const a = group('a', 'А', ['m1'])
  const b = group('b', 'Б', [], { archived_at: '2026-02-01T00:00:00Z' })
  const c = group('c', 'В', ['m2'])

  it('puts archived groups last, each part in the API\'s order', () => {
    expect(ordered([a, b, c]).map((g) => g.id)).toEqual(['a', 'c', 'b'])
  })

  it('offers every group to a manager and a mentor only theirs', () => {
    expect(filterable([a, b, c], true, 'u1').map((g) => g.id)).toEqual(['a', 'c', 'b'])
    expect(filterable([a, b, c], false, 'm2').map((g) => g.id)).toEqual(['c'])
    expect(filterable([a, b, c], false, null)).toEqual([])
  })

  it('counts students per group and maps them to their group', () => {
    const members = [{ student_id: 's1', group_id: 'a' }, { student_id: 's2', group_id: 'a' }, { student_id: 's3', group_id: null }, { student_id: 's4' }]
    expect(countByGroup(members)).toEqual({ a: 2, '': 2 })
    expect(groupOf(members)).toEqual({ s1: 'a', s2: 'a', s3: null, s4: null })
  })
})
