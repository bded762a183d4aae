#!/bin/sh
# Seeds the corpora of the fuzz targets from sim-scenarios/ (run from the
# repository root): lessons for the scenario targets, explore specs, lab
# configurations. The kept regressions are added too.
set -e
mkdir -p fuzz/corpus/scenario_bytes fuzz/corpus/scenario_structured \
  fuzz/corpus/explore_spec fuzz/corpus/lab_toml fuzz/corpus/export_strings \
  fuzz/corpus/terminal_text
cp sim-scenarios/*.json fuzz/corpus/scenario_bytes/
cp sim-scenarios/explore/*.json fuzz/corpus/explore_spec/
cp sim-scenarios/lab/*.toml fuzz/corpus/lab_toml/
for t in scenario_bytes scenario_structured explore_spec lab_toml export_strings terminal_text; do
  cp fuzz/regressions/$t/* fuzz/corpus/$t/
done
