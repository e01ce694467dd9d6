// Titles in 书名号. A title that itself quotes one (《关于…的通知》政策解读) keeps its inner marks as
// single ones (〈〉), as the national punctuation standard (GB/T 15834) asks, never 《《…》》.

/** 《title》, with any 《》 inside turned into 〈〉; a title already wholly in 《》 is not wrapped again. */
export function bookTitle(title: string): string {
  const trimmed = title.trim();
  const whole = /^《([^《》]*)》$/.exec(trimmed);
  const inner = whole ? whole[1]! : trimmed;
  return `《${inner.replaceAll('《', '〈').replaceAll('》', '〉')}》`;
}
