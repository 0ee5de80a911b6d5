//! Keys of the exporters and their shocks: `[[exporter]]` with its licence, quotas and general
//! licences, and `[[shock]]`.

use super::super::Need::{Fallback as FALLBACK, Optional as Opt, Required as REQUIRED};
use super::super::Ty::{
    Approval, Bool, ByDestination, Choice, Date, Integer, Name, Names, Number, NumberBy,
    Table as Sub, Tables, Text,
};
use super::super::{Key, Table};
use super::{ANNOUNCED_SHOCKS, ANY, AUTHORITY_SHOCKS, GE1, LICENCE_SHOCK, NN, POS, SHARE, SPEED};

keys! {
    KEYS;
    Exporter "region": Name("region"), "", None, REQUIRED, [], "region", "The exporting region.";
    Exporter "controlled": Names("item"), "", None, Opt("none"), [], "controlled",
        "Items needing a licence at the start (`\"*\"` = all).";
    Exporter "licence": Sub(Table::Licence), "", None, REQUIRED, [], "regime",
        "Licence settings (below); what `licence_regime` and `list_expansion` shocks use unless they say otherwise.";
    Exporter "quota": Tables(Table::Quota), "", None, Opt("no quotas"), [], "quotas",
        "Annual export quotas (below).";
    Exporter "extraterritorial_share": Number, "share", SHARE, Opt("no rule"), [], "extraterritorial_share",
        "Extraterritorial rule in force at the start (see the `extraterritorial` shock).";
    Exporter "general_licence": Tables(Table::GeneralLicence), "", None, Opt("none"), [], "general_licences",
        "General licences in force at the start (below; see the `general_licence` shock).";
    Exporter "destination_list": Tables(Table::DestinationList), "", None, Opt("none"), [], "",
        "Destination lists with their own licence terms (below; see the `destination_list` shock).";
    Exporter "partner_regions": Names("region"), "", None, Opt("none"), [], "partner_regions",
        "Regions whose plants are under this exporter's control from the start (a partner refinery abroad, issue 18; see the `partner_control` shock): their sales abroad follow its embargoes and licences exactly as its own exports, but not its quotas. Each must have producers and no `[[exporter]]` of its own; give the partner plant a region of its own so its stock is not pooled with an independent plant's.";

    Licence "review_capacity_per_week": Number, "applications per week", NN, FALLBACK, [], "review_capacity_per_step",
        "Applications taken into review per week, fractions carried over (0.5 = one every other week); the rest queue (FIFO). An application is one buyer agent (a region × sector, a producer or a stockpile) × one item.";
    Licence "lead_time_weeks": Sub(Table::LeadTime), "weeks", None, FALLBACK, [], "lead_time",
        "Lognormal review time once taken up, in whole steps, never past `max` (the statutory limit).";
    Licence "validity_weeks": Number, "weeks", NN, FALLBACK, [], "validity_steps",
        "How long an approved licence covers shipments (its term), where `validity_weeks_by` does not say otherwise.";
    Licence "validity_weeks_by": ByDestination, "weeks", NN, Opt("`validity_weeks` everywhere"), [], "validity_steps",
        "Terms by destination and end use, keyed like `approval` (`us = 26`, `defence = 13`, `eu = { default = 52 }`); the most specific entry wins, then `validity_weeks`.";
    Licence "renewal_margin_weeks": Number, "weeks", NN, Opt("0"), [], "renewal_margin_steps",
        "A holder applies for renewal when the weeks its licence still covers (by term, or by quantity at the need it was sized on) fall to the median review time plus this margin.";
    Licence "quantity_cover_factor": Number, "", POS, Opt("no quantity limit"), [], "quantity_cover_factor",
        "An approval covers this multiple of the applicant's need over the term (its orders per week at application × the term); shipments count it down and a used-up licence must be applied for again.";
    Licence "reapply_delay_weeks": Number, "weeks", NN, FALLBACK, [], "reapply_delay_steps",
        "How long a refused buyer waits to apply again.";
    Licence "approval": Approval, "probability", SHARE, FALLBACK, [], "approval",
        "Approval probability by destination and end use: `default`, a sector (`defence = 0`), a region (`us = 0.6`) or a region by sector (`us = { default = 0.6, defence = 0 }`). The most specific wins: region.sector, region.default or region, sector, default.";

    Quota "name": Text, "", None, REQUIRED, [], "name", "Name (`quota` shocks refer to it).";
    Quota "items": Names("item"), "", None, REQUIRED, [], "items", "Items counted against it (`\"*\"` = all).";
    Quota "annual_t": Number, "t per calendar year", NN, Opt("no cap"), [], "annual_t",
        "Cap shared by its items; pro rata in the first year.";
    Quota "batches": Tables(Table::Batch), "", None, Opt("the whole cap on 1 January"), [], "batches",
        "Batches in which the cap is issued through the year (below). The exporter spreads what is issued and not yet shipped evenly over the weeks until the next batch or the year's end.";
    Quota "carry_over": Bool, "", None, Opt("false: unused tonnage lapses"), [], "carry_over",
        "Tonnage issued but not shipped in a year is added to the next year's.";

    Batch "day_of_year": Integer, "day", GE1, REQUIRED, [], "day_of_year",
        "Day of the calendar year it is issued (1 = 1 January; 195 = 14 July in a common year), at the first step starting on or after it.";
    Batch "share": Number, "share", NN, REQUIRED, [], "share",
        "Its share of the annual cap; a quota's shares are normalised to sum to 1.";

    GeneralLicence "destinations": Names("region"), "", None, REQUIRED, [], "destination",
        "Regions whose buyers it covers.";
    GeneralLicence "items": Names("item"), "", None, REQUIRED, [], "item",
        "Items it covers (`\"*\"` = all): their buyers in the destinations ship without an individual licence.";

    DestinationList "name": Text, "", None, REQUIRED, [], "",
        "Name, unique within the exporter (`destination_list` shocks refer to it).";
    DestinationList "regions": Names("region"), "", None, Opt("none: only shocks put regions on it"), [], "",
        "Regions on the list from the start; a region is on at most one list at a time.";
    DestinationList "approval": NumberBy("sector"), "probability", SHARE, Opt("the regime in force's"), [], "regime.approval",
        "Approval odds of the list's applicants by end use: `default` and sectors (`{ default = 0.95, defence = 0.2 }`); a sector not given takes `default`, else the regime's odds.";
    DestinationList "lead_time_weeks": Sub(Table::LeadTime), "weeks", None, Opt("the regime in force's"), [], "regime.lead_time_by_region",
        "Review time of the list's applicants (`{ median, sigma, max }`, all three).";
    DestinationList "validity_weeks": Number, "weeks", NN, Opt("the regime in force's terms"), [], "regime.validity_steps",
        "Licence term for the list's destinations, every end use.";
    DestinationList "general_licence": Names("item"), "", None, Opt("none"), [], "general_licence",
        "Items the list's destinations receive under a general licence (`\"*\"` = all), while the regime in force controls them.";

    Shock "type": Choice(&["halt", "list_expansion", "licence_regime", "quota", "extraterritorial", "general_licence", "suspend", "lift", "capacity_outage", "demand_surge", "partner_control", "destination_list", "technology_control"]),
        "", None, REQUIRED, [], "", "One of the types below.";
    Shock "name": Text, "", None, Opt("`shock.<index>`"), [], "",
        "Needed if a `suspend` or `lift` refers to it; shown in the timeline.";
    Shock "note": Text, "", None, Opt("empty"), [], "", "Why, with the source.";
    Shock "date": Date, "", None, REQUIRED, [], "",
        "The day it takes effect (the first step starting on or after it). Must lie in the horizon.";
    Shock "delay_weeks": Number, "weeks", ANY, Opt("0"), [], "",
        "Shift of the date; a distribution makes the date uncertain.";
    Shock "duration_weeks": Number, "weeks", NN, Opt("to the end of the horizon"),
        [&["halt", "list_expansion", "licence_regime", "quota", "extraterritorial", "general_licence", "suspend", "capacity_outage", "demand_surge", "partner_control", "destination_list", "technology_control"]], "",
        "How long it lasts.";
    Shock "announced": Date, "", None, Opt("not announced before it takes effect"), [ANNOUNCED_SHOCKS], "",
        "The day it is announced, before `date` (give this or `announced_weeks_before`). From then until it takes effect the world price of its items carries `announcement_log_premium`.";
    Shock "announced_weeks_before": Number, "weeks", NN, Opt("not announced before it takes effect"), [ANNOUNCED_SHOCKS], "",
        "Weeks between the announcement and the (delayed) date it takes effect (give this or `announced`).";
    Shock "announcement_log_premium": Number, "share of orders", NN, Opt("0: not priced in"), [ANNOUNCED_SHOCKS], "announcement_premium",
        "Anticipation: while announced and not yet in force, added to the world scarcity (unfilled share of orders) of its items, so their world log price rises by `elasticity` × this per week on top of any real scarcity.";
    Shock "exporter": Name("region"), "", None, Opt("the first `[[exporter]]`"), [AUTHORITY_SHOCKS], "",
        "The acting exporter.";
    Shock "items": Names("item"), "", None, REQUIRED, [&["halt", "list_expansion", "licence_regime", "general_licence"]], "items",
        "Items affected (`\"*\"` = all).";
    Shock "destinations": Names("region"), "", None, REQUIRED, [&["halt", "general_licence"]], "destinations",
        "`halt`: regions no longer shipped to; `general_licence`: regions whose buyers it covers.";
    Shock "quota": Name("quota"), "", None, REQUIRED, [&["quota"]], "quota",
        "The exporter's quota whose cap changes.";
    Shock "annual_t": Number, "t per calendar year", NN, REQUIRED, [&["quota"]], "annual_t",
        "The quota's new cap.";
    Shock "batches": Tables(Table::Batch), "", None, Opt("the batches in force"), [&["quota"]], "batches",
        "Batches in which the new cap is issued (as in `[[exporter.quota]]`).";
    Shock "review_capacity_per_week": Number, "applications per week", NN, FALLBACK, [LICENCE_SHOCK], "regime.review_capacity_per_step",
        "As in the exporter's `licence`, which it falls back to.";
    Shock "lead_time_weeks": Sub(Table::LeadTime), "weeks", None, FALLBACK, [LICENCE_SHOCK], "regime.lead_time",
        "As in the exporter's `licence`, which it falls back to.";
    Shock "validity_weeks": Number, "weeks", NN, FALLBACK, [LICENCE_SHOCK], "regime.validity_steps",
        "As in the exporter's `licence`, which it falls back to.";
    Shock "reapply_delay_weeks": Number, "weeks", NN, FALLBACK, [LICENCE_SHOCK], "regime.reapply_delay_steps",
        "As in the exporter's `licence`, which it falls back to.";
    Shock "approval": Approval, "probability", SHARE, FALLBACK, [LICENCE_SHOCK], "regime.approval",
        "As in the exporter's `licence`, which it falls back to (as a whole table).";
    Shock "validity_weeks_by": ByDestination, "weeks", NN, Opt("the exporter's `licence`"), [LICENCE_SHOCK], "regime.validity_steps",
        "As in the exporter's `licence`, which it falls back to (as a whole table).";
    Shock "renewal_margin_weeks": Number, "weeks", NN, Opt("the exporter's `licence`"), [LICENCE_SHOCK], "regime.renewal_margin_steps",
        "As in the exporter's `licence`, which it falls back to.";
    Shock "quantity_cover_factor": Number, "", POS, Opt("the exporter's `licence`"), [LICENCE_SHOCK], "regime.quantity_cover_factor",
        "As in the exporter's `licence`, which it falls back to.";
    Shock "share": Number, "share", SHARE, REQUIRED, [&["extraterritorial", "capacity_outage"]], "share",
        "`extraterritorial`: the controlled-material mass share from which a product needs a licence; `capacity_outage`: the share of capacity lost.";
    Shock "target": Name("shock"), "", None, REQUIRED, [&["suspend", "lift"]], "",
        "The `name` of the shock suspended or lifted.";
    Shock "producers": Names("producer"), "", None, REQUIRED, [&["capacity_outage"]], "producers",
        "Producers hit.";
    Shock "regions": Names("region"), "", None, Opt("all (`demand_surge`); required for `partner_control` and `destination_list`; every region but the exporter's (`technology_control`)"), [&["demand_surge", "partner_control", "destination_list", "technology_control"]], "manufacturers",
        "`demand_surge`: regions whose manufacturers are hit; `partner_control`: regions whose plants come under the exporter's control (each with producers and no `[[exporter]]` of its own); `destination_list`: regions moved onto the list (out of any other); `technology_control`: regions whose producers it slows (never the exporter's own).";
    Shock "list": Name("destination list"), "", None, REQUIRED, [&["destination_list"]], "",
        "The exporter's `[[exporter.destination_list]]` the regions move onto.";
    Shock "sectors": Names("sector"), "", None, Opt("all"), [&["demand_surge"]], "manufacturers",
        "Sectors whose manufacturers are hit.";
    Shock "multiplier": Number, "", NN, REQUIRED, [&["demand_surge"]], "multiplier",
        "Demand multiplier.";
    Shock "stages": Names("stage"), "", None, REQUIRED, [&["technology_control"]], "",
        "Stages whose know-how the control bans: `mining`, `separation`, `magnet_making`.";
    Shock "build_speed_share": Number, "share", SPEED, Opt("1: building not slowed"), [&["technology_control"]], "market.build_speed",
        "Share of a normal step's construction progress covered producers make while it is in force: a planned plant's build and an expansion project's lead time stretch by 1 / this. Give it or `ramp_speed_share`.";
    Shock "ramp_speed_share": Number, "share", SPEED, Opt("1: ramp-up not slowed"), [&["technology_control"]], "market.ramp_speed",
        "Share of a normal step's ramp-up progress covered producers make once producing (planned plants and dated starts): the ramp stretches by 1 / this.";
}
