import { test } from 'node:test';
import assert from 'node:assert/strict';
import { child, childText, escapeXml, parseXml } from '../../src/data/xml.js';
import { formatVocAnnotation, parseVocAnnotation } from '../../src/data/vocAnnotation.js';

test('parseXml: elements, attributes, entities, CDATA, comments, declarations', () => {
  const root = parseXml(`\ufeff<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE note [ <!ENTITY x "y"> ]>
<!-- a comment -->
<a k="1" q='two &amp; three'>
  <b>x &lt; y &#65;&#x42;</b>
  <c/><![CDATA[<raw>]]>
</a>`, 'doc.xml');
  assert.equal(root.name, 'a');
  assert.deepEqual(root.attributes, { k: '1', q: 'two & three' });
  assert.equal(childText(root, 'b'), 'x < y AB');
  assert.ok(child(root, 'c'));
  assert.ok(root.text.includes('<raw>'));
  assert.equal(escapeXml(`a<b>&"'`), 'a&lt;b&gt;&amp;&quot;&apos;');
});

test('parseXml: malformed documents name the file and line', () => {
  assert.throws(() => parseXml('<a>\n<b></a>', 'x.xml'), { name: 'DataFileError', message: /^x\.xml: malformed XML at line 2, column \d+: unexpected close tag/ });
  assert.throws(() => parseXml('<a>\n<b>', 'y.xml'), { message: /^y\.xml: malformed XML at line 2, .*unclosed tag: b/ });
  assert.throws(() => parseXml('', 'z.xml'), { message: /^z\.xml: malformed XML/ });
  assert.throws(() => parseXml('<a></a><b/>', 'w.xml'), { message: /^w\.xml: malformed XML at line 1, .*only one root/ });
  assert.throws(() => parseXml('<a x=1></a>', 'v.xml'), { message: /^v\.xml: malformed XML at line 1, .*quote/ });
  assert.throws(() => parseXml('hello', 'u.xml'), { message: /^u\.xml: malformed XML at line 1, .*text data outside of root node/ });
  // An entity beyond U+10FFFF was "Invalid code point 1114112" from String.fromCodePoint.
  assert.throws(() => parseXml('<a>\n&#1114112;</a>', 'e.xml'), { message: /^e\.xml: malformed XML at line 2, column \d+: malformed character entity/ });
  assert.throws(() => parseXml('<a>&lol;</a>', 'l.xml'), { message: /^l\.xml: malformed XML at line 1, .*undefined entity/ });
});

test('parseXml: depth and element count are bounded; 2,000 objects and 200 KB of elements parse in one pass', () => {
  assert.throws(() => parseXml('<a>'.repeat(100_000) + '</a>'.repeat(100_000), 'deep.xml'), { name: 'InputLimitError', message: /^deep\.xml: XML nesting \(201 levels at line 1\) is over the limit of 200 \(nestingDepth\)/ });
  assert.throws(() => parseXml('<a>' + '<b/>'.repeat(20) + '</a>', 'many.xml', { limits: { xmlElements: 10 } }), { name: 'InputLimitError', message: /^many\.xml: an XML document of more than 10 elements is over the limit of 10 \(xmlElements\)/ });
  const obj = '<object><name>dog</name><bndbox><xmin>1</xmin><ymin>2</ymin><xmax>30</xmax><ymax>40</ymax></bndbox></object>\n';
  const a = parseVocAnnotation(`<annotation>\n${obj.repeat(2000)}</annotation>`, 'many-objects.xml');
  assert.equal(a.objects.length, 2000);
  const flat = parseXml('<a>\n' + '<b>x</b>\n'.repeat(25_000) + '</a>', 'flat.xml');
  assert.equal(flat.children.length, 25_000);
  assert.equal(flat.children[24_999]!.line, 25_001);
});

test('VOC annotations: real-VOC subset with parts and unknown tags, written form parses back', () => {
  const text = `<annotation>
	<folder>VOC2012</folder>
	<filename>2007_000027.jpg</filename>
	<source><database>The VOC2007 Database</database></source>
	<size><width>486</width><height>500</height><depth>3</depth></size>
	<segmented>0</segmented>
	<object>
		<name>person</name><pose>Unspecified</pose><truncated>0</truncated><difficult>0</difficult>
		<bndbox><xmin>174</xmin><ymin>101</ymin><xmax>349</xmax><ymax>351</ymax></bndbox>
		<part><name>head</name><bndbox><xmin>169</xmin><ymin>104</ymin><xmax>209</xmax><ymax>146</ymax></bndbox></part>
		<actions><jumping>0</jumping></actions>
	</object>
	<object>
		<name>dog</name><occluded>1</occluded><difficult>1</difficult>
		<bndbox><xmin>1.0</xmin><ymin>2</ymin><xmax>30.0</xmax><ymax>40</ymax></bndbox>
	</object>
</annotation>`;
  const a = parseVocAnnotation(text, 'Annotations/2007_000027.xml');
  assert.equal(a.filename, '2007_000027.jpg');
  assert.deepEqual([a.width, a.height, a.depth, a.segmented], [486, 500, 3, false]);
  assert.equal(a.objects.length, 2);
  assert.deepEqual(a.objects[0]!.bndbox, { xmin: 174, ymin: 101, xmax: 349, ymax: 351 }, 'the part box is not taken');
  assert.deepEqual(a.objects[0]!.box, { x0: 173, y0: 100, x1: 349, y1: 351 });
  assert.equal(a.objects[1]!.difficult, true);
  assert.equal(a.objects[1]!.truncated, false);
  assert.equal(a.objects[1]!.pose, 'Unspecified');

  const written = formatVocAnnotation({
    folder: 'VOC2007', filename: '000001.jpg', width: 10, height: 20, segmented: true, database: 'R&D',
    objects: [{ name: 'bag', bndbox: { xmin: 1, ymin: 2, xmax: 3, ymax: 4 }, difficult: true }],
  });
  const b = parseVocAnnotation(written, 'w.xml');
  assert.deepEqual([b.width, b.height, b.depth, b.segmented], [10, 20, 3, true]);
  assert.deepEqual(b.objects[0]!.bndbox, { xmin: 1, ymin: 2, xmax: 3, ymax: 4 });
  assert.equal(b.objects[0]!.difficult, true);

  assert.throws(() => parseVocAnnotation('<annotation><object><name>x</name></object></annotation>', 'n.xml'), /n\.xml: line 1: object 1 \('x'\) has no <bndbox>/);
  assert.throws(() => parseVocAnnotation('<annotation><object><name>x</name><bndbox><xmin>a</xmin></bndbox></object></annotation>', 'm.xml'), /bndbox xmin 'a'/);
  assert.throws(() => parseVocAnnotation('<notvoc/>', 'r.xml'), /root element is <notvoc>, expected <annotation>/);
});
