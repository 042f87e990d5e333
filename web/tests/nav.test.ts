import { describe, it, expect, beforeEach } from 'vitest'
import { mount, flushPromises } from '@vue/test-utils'
import { menuFor, redirectForRole, type Role } from '../src/lib/nav'
import { router } from '../src/router'
import { session, type User } from '../src/session'
import { i18n } from '../src/i18n'
import App from '../src/App.vue'

const user = (role: Role): User => ({ id: 'u1', email: `${role}@x.test`, display_name: role, role, locale: 'ru', time_zone: 'Europe/Moscow', active: true, created_at: '2026-01-01T00:00:00Z' })
const tests = (role: Role) => menuFor(role).map((m) => m.test)

// Every role's side menu, in order (issue #16): an entry a role sees can
// have something in it for that role, from what the API gives it:
// - /homework and /achievements read the student dashboard and badges:
//   `GET /dashboard/student` is `not_a_student` (403) for staff, and staff
//   earn no badges;
// - /grading is the grading queue: only staff grade (`policy::can_grade`:
//   admins everywhere, owners and assistants in their courses), never a
//   student;
// - /progress reads `GET /dashboard/student` for a student and
//   `GET /dashboard/staff` (the courses one owns or assists in, with their
//   statistics) for staff: content for every role;
// - /courses, /schedule and /quizzes list the courses one studies in, owns
//   or assists in (every course for an admin in /courses, and the courses an
//   admin created in the schedule), so they can have content for all;
// - the users page and the CSV import are the admin's
//   (`policy::can_manage_users`).
const MENUS: Record<Role, string[]> = {
  student: ['nav-home', 'nav-courses', 'nav-schedule', 'nav-homework', 'nav-quizzes', 'nav-progress', 'nav-achievements', 'nav-settings'],
  teacher: ['nav-home', 'nav-courses', 'nav-schedule', 'nav-grading', 'nav-quizzes', 'nav-progress', 'nav-settings'],
  assistant: ['nav-home', 'nav-courses', 'nav-schedule', 'nav-grading', 'nav-quizzes', 'nav-progress', 'nav-settings'],
  admin: ['nav-home', 'nav-courses', 'nav-schedule', 'nav-grading', 'nav-quizzes', 'nav-progress', 'nav-users', 'nav-import', 'nav-settings'],
}
const ROLES = Object.keys(MENUS) as Role[]

describe('the menu of each role (#16)', () => {
  for (const role of ROLES)
    it(`a ${role} sees exactly: ${MENUS[role].join(', ')}`, () => {
      expect(tests(role)).toEqual(MENUS[role])
    })
  it('every page left out of a menu sends that role elsewhere, and every entry shown opens', () => {
    const all = new Set(Object.values(MENUS).flat())
    for (const role of ROLES)
      for (const m of menuFor('admin').concat(menuFor('student'))) {
        const name = router.resolve(m.to).name
        const redirect = redirectForRole(role, name)
        if (MENUS[role].includes(m.test)) expect(redirect, `${role} ${m.to}`).toBeNull()
        else expect(redirect, `${role} ${m.to}`).not.toBeNull()
      }
    expect(all.size).toBe(11)
  })
  it('nobody logged in has no menu', () => {
    expect(menuFor(null)).toEqual([])
    expect(menuFor(undefined)).toEqual([])
  })
})

describe('menus by role', () => {
  it('a student gets their homework list and achievements, not the grading queue', () => {
    expect(tests('student')).toEqual(expect.arrayContaining(['nav-homework', 'nav-achievements']))
    expect(tests('student')).not.toContain('nav-grading')
    expect(tests('student')).not.toContain('nav-users')
  })
  for (const role of ['teacher', 'assistant', 'admin'] as const) {
    it(`a ${role} gets the grading queue and none of the student-only pages`, () => {
      expect(tests(role)).toContain('nav-grading')
      expect(tests(role)).not.toContain('nav-homework')
      expect(tests(role)).not.toContain('nav-achievements')
    })
  }
  it('only an admin gets the users page and the CSV import', () => {
    expect(tests('admin')).toContain('nav-users')
    expect(tests('admin')).toContain('nav-import')
    expect(tests('teacher')).not.toContain('nav-users')
    expect(tests('teacher')).not.toContain('nav-import')
    expect(redirectForRole('teacher', 'import')).toBe('home')
    expect(redirectForRole('admin', 'import')).toBeNull()
  })
  it('the pages everyone uses are in every menu', () => {
    for (const role of ['student', 'teacher', 'assistant', 'admin'] as const)
      expect(tests(role)).toEqual(expect.arrayContaining(['nav-home', 'nav-courses', 'nav-schedule', 'nav-quizzes', 'nav-settings']))
  })
  it('who is sent where', () => {
    expect(redirectForRole('teacher', 'achievements')).toBe('home')
    expect(redirectForRole('assistant', 'homework')).toBe('grading')
    expect(redirectForRole('student', 'grading')).toBe('homework')
    expect(redirectForRole('teacher', 'users')).toBe('home')
    expect(redirectForRole('student', 'achievements')).toBeNull()
    expect(redirectForRole('teacher', 'course')).toBeNull()
  })
})

describe('the app shell and route guards', () => {
  beforeEach(async () => {
    session.checked = true
  })
  async function shell(role: Role) {
    session.user = user(role)
    await router.push('/settings')
    await router.isReady()
    const w = mount(App, { global: { plugins: [i18n, router], stubs: { RouterView: true } } })
    await flushPromises()
    return w
  }
  for (const role of ROLES)
    it(`a ${role}'s side menu shows the entries of the table, in order, with their labels`, async () => {
      const w = await shell(role)
      const links = w.findAll('aside [data-test^=nav-]')
      expect(links.map((l) => l.attributes('data-test'))).toEqual(MENUS[role])
      for (const l of links) expect(l.text().trim()).not.toBe('')
      expect(w.find('aside [data-test=nav-settings]').text()).toBe('Профиль и уведомления')
      w.unmount()
    })
  it('a teacher\'s side menu has no Achievements or student Homework', async () => {
    const w = await shell('teacher')
    expect(w.find('[data-test=nav-grading]').exists()).toBe(true)
    expect(w.find('[data-test=nav-achievements]').exists()).toBe(false)
    expect(w.find('[data-test=nav-homework]').exists()).toBe(false)
    w.unmount()
  })
  it('a student\'s side menu has them', async () => {
    const w = await shell('student')
    expect(w.find('[data-test=nav-achievements]').exists()).toBe(true)
    expect(w.find('[data-test=nav-homework]').exists()).toBe(true)
    expect(w.find('[data-test=nav-grading]').exists()).toBe(false)
    w.unmount()
  })
  it('a teacher who opens a student-only page is sent to their own', async () => {
    session.user = user('teacher')
    await router.push('/achievements')
    expect(router.currentRoute.value.name).toBe('home')
    await router.push('/homework')
    expect(router.currentRoute.value.name).toBe('grading')
  })
  it('a student keeps them', async () => {
    session.user = user('student')
    await router.push('/achievements')
    expect(router.currentRoute.value.name).toBe('achievements')
    await router.push('/grading')
    expect(router.currentRoute.value.name).toBe('homework')
  })
})
