import { describe, it, expect } from 'vitest'
import { mount, flushPromises, RouterLinkStub } from '@vue/test-utils'

import { fakeApi } from './fake-api'
import Statistics from '../src/views/Statistics.vue'
import { barSeries, metricValue, shortLabel, type ItemStats } from '../src/lib/stats'
import { formatPercent } from '../src/lib/format'
import Status from '../src/components/Status.vue'
import { i18n, setLocale } from '../src/i18n'

const api = fakeApi()

const base = { due_at: null, due: true, pending: 0, late_share: null }
// As `GET /courses/{id}/statistics` sends them (lms-core `dashboard::items`).
const items: ItemStats[] = [
  { ...base, kind: 'assignment', id: 'a1', title: 'Эссе', handed_in: 2, scored: 2, pending: 0, done_share: 0.6667, average_percent: 70, late_share: 0.5 },
  { ...base, kind: 'quiz', id: 'q1', title: 'Тест 1', handed_in: 2, scored: 2, done_share: 0.6667, average_percent: 62.5 },
  { ...base, kind: 'assignment', id: 'a2', title: 'Новое', handed_in: 1, scored: 0, pending: 1, done_share: 0.3333, average_percent: null, late_share: 0 },
]

describe('per-item chart series', () => {
  it('builds chart series with kind labels, percent values and colours by kind', () => {
    const s = barSeries(items, 'average', (k) => (k === 'quiz' ? 'Тест' : 'Задание'))
    expect(s.labels).toEqual(['Эссе (задание)', 'Тест 1 (тест)', 'Новое (задание)'])
    expect(s.values).toEqual([70, 62.5, null])
    expect(s.axisLabels).toEqual(['Эссе', 'Тест 1', 'Новое'])
    expect(shortLabel('Сдать с опозданием и ещё очень длинное название', 20)).toBe('Сдать с опозданием…')
    expect([...shortLabel('x'.repeat(40))].length).toBe(28)
    expect(s.colours[0]).not.toBe(s.colours[1])
    expect(metricValue(items[0], 'done')).toBe(66.67)
    expect(metricValue(items[0], 'late')).toBe(50)
    expect(metricValue(items[1], 'late')).toBeNull()
    expect(formatPercent(metricValue(items[0], 'done'), 'ru')).toBe('66,7\u00a0%')
    expect(formatPercent(metricValue(items[0], 'done'), 'en')).toBe('66.7%')
  })
})

describe('loading skeleton', () => {
  it('shows placeholders with a hidden "Загрузка…" and aria-busy', async () => {
    setLocale('ru')
    const w = mount(Status, { props: { loading: true }, global: { plugins: [i18n] } })
    await flushPromises()
    const box = w.get('[data-test="loading"]')
    expect(box.attributes('aria-busy')).toBe('true')
    expect(box.find('.placeholder-glow').exists()).toBe(true)
    expect(box.findAll('.placeholder').length).toBeGreaterThanOrEqual(4)
    expect(box.find('.visually-hidden').text()).toBe('Загрузка…')
    expect(box.find('.spinner-border').exists()).toBe(false)
    w.unmount()
  })
  it('shows the error and the empty text when not loading', () => {
    const w = mount(Status, { props: { error: 'Ошибка', empty: true, emptyText: 'Пусто' }, global: { plugins: [i18n] } })
    expect(w.get('[data-test="error"]').text()).toBe('Ошибка')
    expect(w.find('[data-test="loading"]').exists()).toBe(false)
    w.unmount()
  })
})

describe('statistics page charts', () => {
  const stats = {
    course_id: 'c', title: 'Алгебра', student_count: 3, assignments_due: 1, pending_count: 1,
    submission_rate: 0.6667, average_homework_percent: 70, average_quiz_percent: 62.5, late_share: 0, items,
  }
  async function show(body: typeof stats) {
    api.get.mockReset()
    api.get.mockImplementation(async (path: string) => {
      if (path === '/courses/c/statistics') return body
      throw new Error(`unexpected GET ${path}`)
    })
    const w = mount(Statistics, { props: { id: 'c' }, global: { plugins: [i18n], stubs: { RouterLink: RouterLinkStub } } })
    // The chart component is a lazily loaded chunk: wait for it.
    for (let i = 0; i < 100 && !w.find('figure').exists() && !w.find('[data-test=stats-charts-empty]').exists(); i++) {
      await flushPromises()
      await new Promise((r) => setTimeout(r, 50))
    }
    return w
  }
  it('keeps the cards and adds a chart per metric, lazily loaded, with Russian labels, from one request', { timeout: 15000 }, async () => {
    setLocale('ru')
    const w = await show(stats)
    expect(w.find('[data-test=stat-hw_avg]').text()).toContain('70\u00a0%')
    expect(w.get('[data-test=stats-charts]').text()).toContain('По заданиям и тестам')
    const avg = w.get('[data-test=chart-average]')
    expect(avg.text()).toContain('Средний результат')
    // Only scored items are in the average chart; the accessible summary has Russian numbers.
    const label = avg.get('canvas[role=img]').attributes('aria-label')
    expect(label).toContain('Эссе (домашнее задание): 70\u00a0%')
    expect(label).toContain('Тест 1 (тест): 62,5\u00a0%')
    expect(label).not.toContain('Новое')
    expect(w.get('[data-test=chart-done]').get('canvas[role=img]').attributes('aria-label')).toContain('Новое (домашнее задание): 33,3\u00a0%')
    expect(w.find('canvas').exists()).toBe(true)
    expect(api.get.mock.calls.map((c) => c[0])).toEqual(['/courses/c/statistics'])
    w.unmount()
  })
  it('tables each item with hand-ins, average, late share and waiting work', { timeout: 15000 }, async () => {
    setLocale('ru')
    const w = await show(stats)
    const row = (id: string) => w.get(`[data-test=stats-item-${id}]`)
    expect(row('a1').get('[data-test=item-handed-in]').text()).toBe('2 / 3')
    expect(row('a1').get('[data-test=item-average]').text()).toBe('70\u00a0%')
    expect(row('a1').get('[data-test=item-late]').text()).toBe('50\u00a0%')
    expect(row('q1').get('[data-test=item-late]').text()).toBe('—')
    expect(row('q1').get('[data-test=item-pending]').text()).toBe('—')
    expect(row('a2').get('[data-test=item-average]').text()).toBe('—')
    expect(row('a2').get('[data-test=item-pending]').text()).toBe('1')
    expect(w.get('[data-test=stats-items] thead').text()).toContain('С опозданием')
    w.unmount()
  })
  it('says what to do when the course has nothing to chart', async () => {
    setLocale('ru')
    const w = await show({ ...stats, items: [] })
    expect(w.get('[data-test=stats-charts-empty]').text()).toMatch(/добавьте их на странице курса/)
    w.unmount()
  })
})
