// Video players in rich text (#17): a link a teacher pastes (a watch page,
// a short link or an embed URL) becomes the embed URL of the service's
// player. The server keeps only players from YouTube, Rutube, VK Video and
// Kinescope (and the hosts its operator adds), so anything else is refused
// here with a message instead of vanishing on save.

const ID = /^[A-Za-z0-9_-]+$/

/** The player URL for a video link, or `null` when it is not a link to a known video service. */
export function toEmbedUrl(link: string): string | null {
  let url: URL
  try {
    url = new URL(/^[a-z]+:\/\//i.test(link.trim()) ? link.trim() : `https://${link.trim()}`)
  } catch {
    return null
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null
  const host = url.hostname.replace(/^(www|m)\./, '')
  const parts = url.pathname.split('/').filter(Boolean)
  const start = Number.parseInt(url.searchParams.get('start') ?? url.searchParams.get('t') ?? '', 10)
  const at = Number.isFinite(start) && start > 0 ? `?start=${start}` : ''
  switch (host) {
    case 'youtube.com':
    case 'youtube-nocookie.com': {
      const id = parts[0] === 'watch' ? url.searchParams.get('v') : ['embed', 'shorts', 'live'].includes(parts[0] ?? '') ? parts[1] : null
      return id && ID.test(id) ? `https://www.youtube.com/embed/${id}${at}` : null
    }
    case 'youtu.be':
      return parts[0] && ID.test(parts[0]) ? `https://www.youtube.com/embed/${parts[0]}${at}` : null
    case 'rutube.ru': {
      const id = parts[0] === 'video' ? parts[1] : parts[0] === 'play' && parts[1] === 'embed' ? parts[2] : null
      return id && ID.test(id) ? `https://rutube.ru/play/embed/${id}` : null
    }
    case 'vk.com':
    case 'vkvideo.ru': {
      // vk.com/video-22822305_456241864, or the player page itself.
      const m = (parts[0] ?? '').match(/^video(-?\d+)_(\d+)$/)
      if (m) return `https://vk.com/video_ext.php?oid=${m[1]}&id=${m[2]}`
      if (parts[0] === 'video_ext.php') {
        const oid = url.searchParams.get('oid')
        const id = url.searchParams.get('id')
        const hash = url.searchParams.get('hash')
        if (!oid || !/^-?\d+$/.test(oid) || !id || !/^\d+$/.test(id)) return null
        return `https://${host}/video_ext.php?oid=${oid}&id=${id}${hash && ID.test(hash) ? `&hash=${hash}` : ''}`
      }
      return null
    }
    case 'kinescope.io': {
      const id = parts[0] === 'embed' ? parts[1] : parts[0]
      return id && ID.test(id) && parts.length <= 2 ? `https://kinescope.io/embed/${id}` : null
    }
    default:
      return null
  }
}
