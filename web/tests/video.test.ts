import { describe, it, expect } from 'vitest'
import { toEmbedUrl } from '../src/lib/video'

describe('video links become the players the server keeps (#17)', () => {
  it.each([
    ['https://www.youtube.com/watch?v=dQw4w9WgXcQ', 'https://www.youtube.com/embed/dQw4w9WgXcQ'],
    ['youtube.com/watch?v=dQw4w9WgXcQ&t=42', 'https://www.youtube.com/embed/dQw4w9WgXcQ?start=42'],
    ['https://youtu.be/dQw4w9WgXcQ', 'https://www.youtube.com/embed/dQw4w9WgXcQ'],
    ['https://m.youtube.com/shorts/dQw4w9WgXcQ', 'https://www.youtube.com/embed/dQw4w9WgXcQ'],
    ['https://www.youtube.com/embed/dQw4w9WgXcQ?showinfo=0', 'https://www.youtube.com/embed/dQw4w9WgXcQ'],
    ['https://rutube.ru/video/c6cc4d620b1d4338901770a44b3e82f4/', 'https://rutube.ru/play/embed/c6cc4d620b1d4338901770a44b3e82f4'],
    ['https://rutube.ru/play/embed/c6cc4d620b1d4338901770a44b3e82f4', 'https://rutube.ru/play/embed/c6cc4d620b1d4338901770a44b3e82f4'],
    ['https://vk.com/video-22822305_456241864', 'https://vk.com/video_ext.php?oid=-22822305&id=456241864'],
    ['https://vkvideo.ru/video-1_2', 'https://vk.com/video_ext.php?oid=-1&id=2'],
    ['https://vk.com/video_ext.php?oid=-1&id=2&hash=abc123', 'https://vk.com/video_ext.php?oid=-1&id=2&hash=abc123'],
    ['https://kinescope.io/201234567', 'https://kinescope.io/embed/201234567'],
    ['https://kinescope.io/embed/201234567', 'https://kinescope.io/embed/201234567'],
  ])('%s → %s', (link, embed) => {
    expect(toEmbedUrl(link)).toBe(embed)
  })

  it.each([
    'https://evil.org/watch?v=x',
    'https://www.youtube.com.evil.org/watch?v=dQw4w9WgXcQ',
    'javascript:alert(1)',
    'https://www.youtube.com/watch?v=<script>',
    'https://vk.com/away.php?to=https://evil.org',
    'https://vk.com/video_ext.php?oid=x&id=2',
    'https://rutube.ru/',
    'not a link',
    '',
  ])('%s is refused', (link) => {
    expect(toEmbedUrl(link)).toBeNull()
  })
})

describe('a player in published text has an accessible name', () => {
  it('RichView names every video player in the UI language', async () => {
    const { mount, flushPromises } = await import('@vue/test-utils')
    const { i18n, setLocale } = await import('../src/i18n')
    const RichView = (await import('../src/components/RichView.vue')).default
    const w = mount(RichView, { props: { html: '<p>x</p><iframe class="ql-video" src="https://rutube.ru/play/embed/a"></iframe>' }, global: { plugins: [i18n] } })
    await flushPromises()
    expect(w.find('iframe').attributes('title')).toBe('Видеоплеер')
    setLocale('en')
    await flushPromises()
    expect(w.find('iframe').attributes('title')).toBe('Video player')
    setLocale('ru')
  })
})

describe('formulas in published text are typeset from their source (#17)', () => {
  it('RichView typesets a stored formula with KaTeX and keeps its source', async () => {
    const { mount, flushPromises } = await import('@vue/test-utils')
    const { i18n } = await import('../src/i18n')
    const RichView = (await import('../src/components/RichView.vue')).default
    const w = mount(RichView, { props: { html: '<p>D = <span class="ql-formula" data-value="b^2 - 4ac">b^2 - 4ac</span></p>' }, global: { plugins: [i18n] } })
    for (let i = 0; i < 20 && !w.find('.katex').exists(); i++) {
      await flushPromises()
      await new Promise((r) => setTimeout(r, 50))
    }
    const span = w.find('span.ql-formula')
    expect(span.find('.katex').exists()).toBe(true)
    expect(span.find('annotation').text()).toBe('b^2 - 4ac')
    expect(span.attributes('data-value')).toBe('b^2 - 4ac')
  })
})
