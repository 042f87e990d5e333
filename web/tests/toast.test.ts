import { describe, it, expect, afterEach, vi } from 'vitest'
import { mount, flushPromises } from '@vue/test-utils'
import Toasts from '../src/components/Toasts.vue'
import { toast, toastT, toasts, clearToasts, TOAST_MS } from '../src/lib/toast'
import { i18n, setLocale } from '../src/i18n'

const opts = { global: { plugins: [i18n] } }

describe('toasts (#13: actions without feedback)', () => {
  afterEach(() => {
    clearToasts()
    vi.useRealTimers()
  })

  it('are announced politely in one live region and hide themselves after ~4 s', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const w = mount(Toasts, opts)
    toast('Работа сдана: версия 1.')
    await flushPromises()
    const region = w.find('[data-test=toasts]')
    expect(region.attributes('aria-live')).toBe('polite')
    expect(region.find('[data-test=toast]').text()).toContain('Работа сдана: версия 1.')
    await vi.advanceTimersByTimeAsync(TOAST_MS - 100)
    expect(w.findAll('[data-test=toast]')).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(200)
    expect(w.findAll('[data-test=toast]')).toHaveLength(0)
    // The region stays, so the next toast is read out too.
    expect(w.find('[data-test=toasts]').exists()).toBe(true)
    w.unmount()
  })

  it('close on their button, keep at most four, and speak the UI language', async () => {
    setLocale('ru')
    const w = mount(Toasts, opts)
    for (let i = 1; i <= 5; i++) toast(`n${i}`)
    await flushPromises()
    expect(toasts.map((t) => t.text)).toEqual(['n2', 'n3', 'n4', 'n5'])
    await w.find('[data-test=toast] button').trigger('click')
    expect(toasts.map((t) => t.text)).toEqual(['n3', 'n4', 'n5'])
    clearToasts()
    toastT('toast.prefs_saved')
    expect(toasts[0].text).toBe('Настройки уведомлений сохранены.')
    setLocale('en')
    toastT('toast.handed_in', { n: 2 })
    expect(toasts[1].text).toBe('Handed in: version 2.')
    setLocale('ru')
    w.unmount()
  })
})
