import { describe, it, expect, beforeEach } from 'vitest'
import { mount, flushPromises, RouterLinkStub } from '@vue/test-utils'
import { formatNumber, formatPercent, formatScore } from '../src/lib/format'
import { i18n, setLocale } from '../src/i18n'

import { fakeApi } from './fake-api'
import Statistics from '../src/views/Statistics.vue'

const api = fakeApi()

const NBSP = '\u00a0'

describe('numbers in the UI language', () => {
  it('a score has a decimal comma in Russian and a point in English', () => {
    expect(formatNumber(4.8, 'ru')).toBe('4,8')
    expect(formatNumber(4.8, 'en')).toBe('4.8')
    expect(formatScore(4.8, 10, 'ru')).toBe('4,8 / 10')
    expect(formatScore(9.25, 10, 'en')).toBe('9.25 / 10')
    expect(formatScore(null, 10, 'ru')).toBe('—')
  })
  it('percentages and shares', () => {
    expect(formatPercent(87.5, 'ru')).toBe(`87,5${NBSP}%`)
    expect(formatPercent(0.6667, 'ru', true)).toBe(`66,7${NBSP}%`)
    expect(formatPercent(0.4, 'en', true)).toBe('40%')
    expect(formatPercent(undefined, 'ru')).toBe('—')
  })
})

describe('course statistics', () => {
  beforeEach(() => setLocale('ru'))
  const stats = {
    course_id: 'c1', title: 'Алгебра', student_count: 5, assignments_due: 2, pending_count: 1,
    submission_rate: 0.4, average_homework_percent: 4.8, average_quiz_percent: 87.25, late_share: 0.6667,
  }
  async function show() {
    api.get.mockResolvedValue(stats)
    const w = mount(Statistics, { props: { id: 'c1' }, global: { plugins: [i18n], stubs: { RouterLink: RouterLinkStub } } })
    await flushPromises()
    return w
  }
  const card = (w: Awaited<ReturnType<typeof show>>, k: string) => w.find(`[data-test=stat-${k}]`).text()

  it('shows shares and averages with the Russian decimal comma', async () => {
    const w = await show()
    expect(card(w, 'hw_avg')).toContain(`4,8${NBSP}%`)
    expect(card(w, 'quiz_avg')).toContain(`87,3${NBSP}%`)
    expect(card(w, 'submission_rate')).toContain(`40${NBSP}%`)
    expect(w.text()).not.toMatch(/\d\.\d/)
  })
  it('labels say what the numbers count: hand-ins of those expected (late included), and the late share of hand-ins', async () => {
    // 40 % "handed in on time" beside 67 % "late" contradicted each other:
    // the rate counts late hand-ins too.
    const w = await show()
    expect(card(w, 'submission_rate')).not.toMatch(/вовремя/i)
    expect(card(w, 'submission_rate')).toMatch(/включая сданные с опозданием/)
    expect(card(w, 'late_share')).toMatch(/от всех сданных/)
    expect(i18n.global.t('stats.submission_rate', {}, { locale: 'en' })).not.toMatch(/on time/i)
  })
  it('every key used here exists in both languages', () => {
    const has = i18n.global.te as (key: string, locale: string) => boolean
    for (const k of ['submission_rate', 'late_share', 'hw_avg', 'quiz_avg']) {
      for (const l of ['ru', 'en']) expect(has('stats.' + k, l)).toBe(true)
    }
    for (const k of ['submission_rate', 'late_share']) for (const l of ['ru', 'en']) expect(has('stats_hint.' + k, l)).toBe(true)
    expect(i18n.global.locale.value).toBe('ru')
  })
})
