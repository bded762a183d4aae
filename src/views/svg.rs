//! The SVG timeline (`iocp-sim export --svg`).

use crate::model::Flavor;
use crate::narrate::Lang;
use crate::scenario::Scenario;

/// The timeline drawing of `scenario` run in `flavor`.
pub fn timeline(scenario: &Scenario, flavor: Flavor, lang: Lang) -> String {
    let _ = (scenario, flavor, lang);
    String::from("<svg xmlns=\"http://www.w3.org/2000/svg\"/>")
}
