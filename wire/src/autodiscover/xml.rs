//! The XML plumbing of Autodiscover: a small element tree read with
//! quick-xml (local names only, no DOCTYPE, bounded depth and size) and a
//! thin writer over quick-xml's, which does the escaping.

use std::io::Cursor;

use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::{Reader, Writer, XmlVersion};

use crate::error::{Result, WireError};

const MAX_DEPTH: usize = 32;
const MAX_ELEMENTS: usize = 10_000;

#[derive(Debug, Default)]
pub(super) struct Element {
    pub(super) name: String,
    pub(super) attributes: Vec<(String, String)>,
    pub(super) children: Vec<Element>,
    pub(super) text: String,
}

impl Element {
    pub(super) fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    pub(super) fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    pub(super) fn child_text(&self, name: &str) -> Option<String> {
        self.child(name).map(|c| c.text.trim().to_owned())
    }

    pub(super) fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

pub(super) fn xml_err(e: impl std::fmt::Display) -> WireError {
    WireError::Xml(e.to_string())
}

fn start_element(e: &quick_xml::events::BytesStart<'_>) -> Result<Element> {
    let mut element = Element {
        name: e.local_name().as_ref().to_owned(),
        ..Element::default()
    };
    for attribute in e.attributes() {
        let attribute = attribute.map_err(xml_err)?;
        let value = attribute
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(xml_err)?;
        element.attributes.push((
            attribute.key.local_name().as_ref().to_owned(),
            value.into_owned(),
        ));
    }
    Ok(element)
}

/// Parses a whole document into its root element.
pub(super) fn parse_tree(xml: &[u8]) -> Result<Element> {
    let text =
        std::str::from_utf8(xml).map_err(|_| WireError::Xml("document is not UTF-8".into()))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut count = 0usize;
    loop {
        let event = reader.read_event().map_err(xml_err)?;
        match event {
            Event::Start(_) | Event::Empty(_) if root.is_some() => {
                return Err(WireError::Xml("content after the root element".into()));
            }
            Event::Start(e) => {
                count += 1;
                if stack.len() >= MAX_DEPTH || count > MAX_ELEMENTS {
                    return Err(WireError::Xml("document too deep or too large".into()));
                }
                stack.push(start_element(&e)?);
            }
            Event::Empty(e) => {
                count += 1;
                if count > MAX_ELEMENTS {
                    return Err(WireError::Xml("document too large".into()));
                }
                let element = start_element(&e)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(element),
                    None => root = Some(element),
                }
            }
            Event::End(_) => {
                let element = stack
                    .pop()
                    .ok_or_else(|| WireError::Xml("unbalanced end tag".into()))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(element),
                    None => root = Some(element),
                }
            }
            Event::Text(t) => {
                if let Some(current) = stack.last_mut() {
                    current.text.push_str(&t.xml10_content());
                } else if !t.trim().is_empty() {
                    return Err(WireError::Xml("text outside the root element".into()));
                }
            }
            Event::CData(t) => {
                if let Some(current) = stack.last_mut() {
                    current.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref().map_err(xml_err)? {
                    Some(c) => c.to_string(),
                    None => quick_xml::escape::resolve_predefined_entity(&r)
                        .ok_or_else(|| WireError::Xml(format!("unknown entity &{};", &*r)))?
                        .to_owned(),
                };
                match stack.last_mut() {
                    Some(current) => current.text.push_str(&resolved),
                    None => {
                        return Err(WireError::Xml("reference outside the root element".into()));
                    }
                }
            }
            Event::DocType(_) => return Err(WireError::Xml("DOCTYPE is not accepted".into())),
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(WireError::Xml("document ends inside an element".into()));
    }
    root.ok_or_else(|| WireError::Xml("no root element".into()))
}

/// Characters XML 1.0 cannot carry at all (§2.2 Char), even escaped;
/// replaced so that a stray control character in a display name cannot
/// make the whole response unparsable.
fn xml_safe(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => '\u{FFFD}',
            c => c,
        })
        .collect()
}

pub(super) struct XmlOut {
    w: Writer<Cursor<Vec<u8>>>,
}

impl XmlOut {
    pub(super) fn new() -> Result<Self> {
        let mut w = Writer::new_with_indent(Cursor::new(Vec::new()), b' ', 2);
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))
            .map_err(xml_err)?;
        Ok(XmlOut { w })
    }

    pub(super) fn open(&mut self, name: &str, attributes: &[(&str, &str)]) -> Result<()> {
        let mut start = quick_xml::events::BytesStart::new(name);
        for (k, v) in attributes {
            let v = xml_safe(v);
            start.push_attribute((*k, v.as_str()));
        }
        self.w.write_event(Event::Start(start)).map_err(xml_err)
    }

    pub(super) fn close(&mut self, name: &str) -> Result<()> {
        self.w
            .write_event(Event::End(quick_xml::events::BytesEnd::new(name)))
            .map_err(xml_err)
    }

    pub(super) fn leaf(&mut self, name: &str, text: &str) -> Result<()> {
        let text = xml_safe(text);
        self.w
            .create_element(name)
            // Text needs only <, > and & escaped (plus CR, which XML would
            // otherwise normalise away); quotes stay readable as Exchange sends them.
            .write_text_content(BytesText::from_escaped(quick_xml::escape::partial_escape(
                text.as_str(),
            )))
            .map_err(xml_err)?;
        Ok(())
    }

    pub(super) fn empty(&mut self, name: &str) -> Result<()> {
        self.w.create_element(name).write_empty().map_err(xml_err)?;
        Ok(())
    }

    pub(super) fn finish(self) -> Result<String> {
        String::from_utf8(self.w.into_inner().into_inner()).map_err(xml_err)
    }
}
