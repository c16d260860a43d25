/**
 * Syllables for synthetic place names. A county's townships (and villages) take distinct
 * indices of a permutation `(stride·k + offset) mod N` over all pairs, so names never repeat
 * within a county as long as it has fewer places than pairs.
 */
// 30 × 30 = 900 township names (…镇 / …乡); the two lists share no character
export const TOWNSHIP_FIRST = [...'兴太永新安丰福龙凤三双白黄青红金石柳马高孙李王张刘杨万古大东'];
export const TOWNSHIP_SECOND = [...'隆平和宁乐庄集店桥河湖山泉岭坪川原寨营屯城口楼园坊台阳沟峪堡'];

// 50 × 40 = 2,000 village names (…村): a surname and a kind of settlement (王家庄, 李屯)
export const VILLAGE_FIRST = [...'王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎'];
export const VILLAGE_SECOND = [
	'家庄', '家湾', '家洼', '家峪', '家沟', '家寨', '家屯', '家营', '家集', '家楼',
	'庄', '屯', '营', '集', '店', '楼', '寨', '沟', '峪', '坡',
	'岭', '河', '湾', '园', '堡', '桥', '台', '坊', '圈', '窑',
	'官庄', '辛庄', '庙', '水泉', '套', '岔', '梁', '塬', '川', '铺'
];

/** Strides coprime with 900 and with 2,000, about half the size, so neighbours differ. */
export const TOWNSHIP_STRIDES = [307, 347, 397, 431, 463, 503, 541, 577];
export const VILLAGE_STRIDES = [701, 797, 863, 937, 1013, 1097, 1201, 1297];

/** Surnames for responsible leaders (王副县长, 李局长). */
export const SURNAMES = [...'王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许沈曾彭吕'];
