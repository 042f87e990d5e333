// Course announcements: whom the form addresses (the whole course or
// groups; a mentor only their groups), the «для групп: …» badge, deleting,
// and lib/announcements.ts.
import { describe, it, expect, beforeEach } from 'vitest'
import { mount, flushPromises, RouterLinkStub } from '@vue/test-utils'

import { fakeApi } from './fake-api'
import { session, type User } from '../src/session'
import { i18n, setLocale } from '../src/i18n'
import { confirmState, settleConfirm } from '../src/lib/confirm'
import { toasts, clearToasts } from '../src/lib/toast'
import { ApiError } from '../src/api/http'
import { addressable, announcementLink, audienceLabel, canDelete, groupNames, initialTarget, requestOf } from '../src/lib/announcements'
import type { Announcement, Group } from '../src/api/types'
import CourseAnnouncements from '../src/components/CourseAnnouncements.vue'
import Course from '../src/views/Course.vue'
import { courseView } from './course-view'

const api = fakeApi()

const opts = { global: { plugins: [i18n], stubs: { RouterLink: RouterLinkStub, RichEditor: true, InvitationList: true } } }
const account = (id: string, role: User['role'], name: string): User => ({ id, email: `${id}@x.test`, display_name: name, role, locale: 'ru', time_zone: 'Europe/Moscow', active: true, created_at: '2026-01-01T00:00:00Z' })
const teacher = account('u1', 'teacher', 'Анна Петровна')
const mentor = account('m1', 'assistant', 'Борис Ментор')
const student = account('s1', 'student', 'Иван')
const group = (id: string, name: string, mentors: string[], archived = false): Group => ({
  id, course_id: 'c1', name, invite_code: null, mentors, archived_at: archived ? '2026-02-01T00:00:00Z' : null, created_at: '2026-01-03T00:00:00Z',
})
const groups = [group('g1', 'Группа А', ['m1']), group('g2', 'Группа Б', []), group('g3', 'Старая', ['m1'], true)]
const note = (id: string, title: string, group_ids: string[] = [], author_id = 'u1'): Announcement => ({
  id, course_id: 'c1', author_id, author_name: author_id === 'u1' ? teacher.display_name : mentor.display_name, title, body: `<p>${title}: подробности</p>`, group_ids, created_at: '2026-03-01T09:00:00Z',
})
const t = (k: string, p?: Record<string, unknown>) => i18n.global.t(k, p ?? {})

let stored: Announcement[] = []
function serve() {
  api.get.mockImplementation(async (p: string) => {
    if (p.startsWith('/courses/c1/announcements')) return structuredClone(stored)
    if (p === '/courses/c1/groups') return structuredClone(groups)
    if (p === '/courses/c1') return courseView({ id: 'c1', title: 'Алгебра', description: '', owner_id: 'u1', status: 'published', invite_code: null, cover: null, created_at: '2026-01-01T00:00:00Z' }, 'owner')
    return []
  })
  api.post.mockImplementation(async (p: string, body?: unknown) => {
    if (p !== '/courses/c1/announcements') throw new Error(`unexpected POST ${p}`)
    const b = body as { title: string; body: string; group_ids: string[] }
    return { ...note('n9', b.title, b.group_ids, session.user?.id), body: b.body }
  })
}

async function panel(props: Record<string, unknown>) {
  const w = mount(CourseAnnouncements, { props: { courseId: 'c1', ...props }, ...opts })
  await flushPromises()
  return w
}
const texts = (w: ReturnType<typeof mount>, test: string) => w.findAll(`[data-test=${test}]`).map((e) => e.text())

beforeEach(() => {
  api.reset()
  setLocale('ru')
  session.checked = true
  session.user = teacher
  stored = [note('n2', 'Контрольная переносится', ['g1', 'g2']), note('n1', 'Добро пожаловать')]
  settleConfirm(false)
  clearToasts()
  serve()
})

describe('lib/announcements', () => {
  it('a manager addresses every working group, a mentor only theirs', () => {
    expect(addressable(groups, true, 'u1').map((g) => g.id)).toEqual(['g1', 'g2'])
    expect(addressable(groups, false, 'm1').map((g) => g.id)).toEqual(['g1'])
    expect(addressable(groups, false, 'm2')).toEqual([])
    expect(addressable(groups, false, null)).toEqual([])
  })

  it('starts with the whole course for a manager and every own group for a mentor', () => {
    expect(initialTarget(true, groups)).toEqual({ everyone: true, groups: [] })
    expect(initialTarget(false, [groups[0]])).toEqual({ everyone: false, groups: ['g1'] })
  })

  it('makes the request, or none while nobody is chosen', () => {
    const all = addressable(groups, true, 'u1')
    expect(requestOf('  Заголовок ', '<p>x</p>', { everyone: true, groups: [] }, true, all)).toEqual({ title: 'Заголовок', body: '<p>x</p>', group_ids: [] })
    expect(requestOf('Т', '', { everyone: false, groups: ['g2'] }, true, all)).toEqual({ title: 'Т', body: '', group_ids: ['g2'] })
    expect(requestOf('Т', '', { everyone: false, groups: [] }, true, all)).toBeNull()
    // A mentor never addresses the whole course, nor a group not theirs.
    const own = addressable(groups, false, 'm1')
    expect(requestOf('Т', '', { everyone: true, groups: [] }, false, own)).toBeNull()
    expect(requestOf('Т', '', { everyone: false, groups: ['g1', 'g2'] }, false, own)).toEqual({ title: 'Т', body: '', group_ids: ['g1'] })
  })

  it('names the groups an announcement is for, in both languages', () => {
    const names = groupNames(groups)
    expect(audienceLabel([], names, t)).toBe('')
    expect(audienceLabel(['g1'], names, t)).toBe('для группы Группа А')
    expect(audienceLabel(['g1', 'g2'], names, t)).toBe('для групп: Группа А, Группа Б')
    expect(audienceLabel(['g1', 'gx'], names, t)).toBe('для групп: Группа А и ещё 1')
    // A student knows no group names: no badge.
    expect(audienceLabel(['g1'], {}, t)).toBe('')
    setLocale('en')
    expect(audienceLabel(['g1', 'g2'], names, t)).toBe('for groups: Группа А, Группа Б')
    expect(audienceLabel(['g2'], names, t)).toBe('for group Группа Б')
  })

  it('its author, the owner or an admin deletes it; the dashboard links to the section', () => {
    expect(canDelete({ author_id: 'm1' }, 'm1', false)).toBe(true)
    expect(canDelete({ author_id: 'u1' }, 'm1', false)).toBe(false)
    expect(canDelete({ author_id: 'm1' }, 'u1', true)).toBe(true)
    expect(canDelete({ author_id: 'm1' }, null, false)).toBe(false)
    expect(announcementLink('c1')).toBe('/courses/c1#announcements')
  })
})

describe('the announcements of a course page', () => {
  it('lists them newest first with author, date, text and the groups they are for', async () => {
    const w = await panel({ canManage: true, canGrade: true })
    expect(w.get('section').attributes('id')).toBe('announcements')
    expect(w.get('h2').text()).toBe('Объявления')
    expect(texts(w, 'announcement-headline')).toEqual(['Контрольная переносится', 'Добро пожаловать'])
    expect(texts(w, 'announcement-audience')).toEqual(['для групп: Группа А, Группа Б'])
    expect(texts(w, 'announcement-author')[0]).toBe('Анна Петровна')
    expect(w.get('[data-test=announcement-text]').html()).toContain('<p>Контрольная переносится: подробности</p>')
    expect(api.requests.map((r) => r.path)).toContain('/courses/c1/announcements?limit=20')
  })

  it('a student reads them without a form, a delete button or group names', async () => {
    session.user = student
    const w = await panel({})
    expect(texts(w, 'announcement-headline').length).toBe(2)
    expect(w.find('[data-test=announcement-new]').exists()).toBe(false)
    expect(w.find('[data-test=announcement-delete]').exists()).toBe(false)
    expect(w.find('[data-test=announcement-audience]').exists()).toBe(false)
    expect(api.requests.some((r) => r.path === '/courses/c1/groups')).toBe(false)
  })

  it('says when there are none', async () => {
    stored = []
    session.user = student
    const w = await panel({})
    expect(w.get('[data-test=announcements-empty]').text()).toBe('Объявлений пока нет.')
  })

  it('the owner writes to the whole course by default, or to chosen groups', async () => {
    const w = await panel({ canManage: true, canGrade: true })
    await w.get('[data-test=announcement-new]').trigger('click')
    const everyone = w.get<HTMLInputElement>('[data-test=announcement-everyone]')
    expect(everyone.element.checked).toBe(true)
    // Working groups only, every one of them.
    expect(w.get('[data-test=announcement-target]').findAll('.form-check label').map((l) => l.text())).toEqual(['Весь курс', 'Группа А', 'Группа Б'])
    expect(w.get('label[for$=headline]').text()).toBe('Заголовок')
    await w.get('[data-test=announcement-title]').setValue('Каникулы')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(api.post).toHaveBeenLastCalledWith('/courses/c1/announcements', { title: 'Каникулы', body: '', group_ids: [] })
    expect(texts(w, 'announcement-headline')[0]).toBe('Каникулы')
    expect(w.find('[data-test=announcement-form]').exists()).toBe(false)
    expect(toasts.map((x) => x.text)).toContain('Объявление опубликовано: студенты получат уведомление.')

    // A group instead of the whole course: «Весь курс» goes off; none at all cannot be sent.
    await w.get('[data-test=announcement-new]').trigger('click')
    await w.get('[data-test=announcement-title]').setValue('Для группы Б')
    await w.get('[data-test=announcement-group-g2]').setValue(true)
    expect(w.get<HTMLInputElement>('[data-test=announcement-everyone]').element.checked).toBe(false)
    await w.get('[data-test=announcement-group-g2]').setValue(false)
    expect(w.get('[data-test=announcement-pick-group]').text()).toContain('весь курс или хотя бы одну группу')
    expect(w.get('[data-test=announcement-send]').attributes('disabled')).toBeDefined()
    await w.get('[data-test=announcement-group-g2]').setValue(true)
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(api.post).toHaveBeenLastCalledWith('/courses/c1/announcements', { title: 'Для группы Б', body: '', group_ids: ['g2'] })
    expect(texts(w, 'announcement-audience')[0]).toBe('для группы Группа Б')
  })

  it('a mentor writes to the groups they mentor, all of them by default', async () => {
    session.user = mentor
    const w = await panel({ canGrade: true })
    // Not theirs: no delete button.
    expect(w.find('[data-test=announcement-delete]').exists()).toBe(false)
    await w.get('[data-test=announcement-new]').trigger('click')
    expect(w.find('[data-test=announcement-everyone]').exists()).toBe(false)
    expect(w.get('[data-test=announcement-target]').findAll('.form-check label').map((l) => l.text())).toEqual(['Группа А'])
    expect(w.get<HTMLInputElement>('[data-test=announcement-group-g1]').element.checked).toBe(true)
    await w.get('[data-test=announcement-title]').setValue('Консультация')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(api.post).toHaveBeenLastCalledWith('/courses/c1/announcements', { title: 'Консультация', body: '', group_ids: ['g1'] })
    // Their own: they may delete it.
    expect(w.findAll('[data-test=announcement]')[0].find('[data-test=announcement-delete]').exists()).toBe(true)
  })

  it('a mentor of no group is told why there is no form', async () => {
    session.user = account('m2', 'assistant', 'Вера')
    const w = await panel({ canGrade: true })
    expect(w.find('[data-test=announcement-new]').exists()).toBe(false)
    expect(w.get('[data-test=announcement-no-groups]').text()).toContain('не ведёте ни одной группы')
  })

  it('an archived course takes none', async () => {
    const w = await panel({ canManage: true, canGrade: true, archived: true })
    expect(w.find('[data-test=announcement-new]').exists()).toBe(false)
    expect(w.findAll('[data-test=announcement-delete]').length).toBe(2)
  })

  it('shows the server\'s refusal in the form', async () => {
    api.post.mockRejectedValue(new ApiError(422, 'invalid_group', 'group_ids: not yours'))
    const w = await panel({ canManage: true, canGrade: true })
    await w.get('[data-test=announcement-new]').trigger('click')
    await w.get('[data-test=announcement-title]').setValue('Т')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(w.get('[data-test=announcement-error]').text()).toBe('Этой группе написать нельзя: выберите группу из списка.')
    expect(w.find('[data-test=announcement-form]').exists()).toBe(true)
  })

  it('deletes one after confirming', async () => {
    const w = await panel({ canManage: true, canGrade: true })
    await w.findAll('[data-test=announcement-delete]')[1].trigger('click')
    expect(confirmState.current?.title).toBe('Удалить объявление «Добро пожаловать»?')
    settleConfirm(false)
    await flushPromises()
    expect(api.del).not.toHaveBeenCalled()
    await w.findAll('[data-test=announcement-delete]')[1].trigger('click')
    settleConfirm(true)
    await flushPromises()
    expect(api.del).toHaveBeenCalledWith('/announcements/n1')
    expect(texts(w, 'announcement-headline')).toEqual(['Контрольная переносится'])
    expect(toasts.map((x) => x.text)).toContain('Объявление удалено.')
  })

  it('shows the latest three, then all', async () => {
    stored = ['5', '4', '3', '2', '1'].map((n) => note(`n${n}`, `Объявление ${n}`))
    const w = await panel({})
    expect(texts(w, 'announcement-headline')).toEqual(['Объявление 5', 'Объявление 4', 'Объявление 3'])
    await w.get('[data-test=announcements-all]').trigger('click')
    await flushPromises()
    expect(texts(w, 'announcement-headline').length).toBe(5)
    expect(w.find('[data-test=announcements-all]').exists()).toBe(false)
  })

  it('stands near the top of the course page, before the tabs', async () => {
    const w = mount(Course, { props: { id: 'c1' }, ...opts })
    await flushPromises()
    const html = w.html()
    expect(html.indexOf('id="announcements"')).toBeGreaterThan(0)
    expect(html.indexOf('id="announcements"')).toBeLessThan(html.indexOf('nav-tabs'))
    expect(w.find('[data-test=announcement-new]').exists()).toBe(true)
  })
})
