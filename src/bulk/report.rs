//! The run's report as CSV.

use super::run::ItemStage;
use super::{Final, Run};
use crate::export::csv_field;

impl Run {
    /// The report as CSV, one line per item: what did not go through first (answer lost,
    /// failed, skipped), then the verified and the accepted, each group in the run's
    /// order. Items still running have no line. `header` names the columns (`id`, `item`,
    /// `outcome`, `detail`, `request-id`, in the admin's language).
    pub fn report_csv(&self, header: [&str; 5]) -> String {
        let mut out = header.map(csv_field).join(",");
        out.push_str("\r\n");
        let rank = |f: &Final| match f {
            Final::AnswerLost { .. } => 0,
            Final::Failed { .. } => 1,
            Final::Skipped(_) => 2,
            Final::Verified { .. } => 3,
            Final::Accepted { .. } => 4,
        };
        for group in 0..5 {
            for it in &self.items {
                let ItemStage::Done(result) = &it.stage else {
                    continue;
                };
                if rank(result) != group {
                    continue;
                }
                let (outcome, detail, rid) = match result {
                    Final::Accepted { request_id } => ("accepted", "", request_id.as_deref()),
                    Final::Verified { detail, request_id } => {
                        ("verified", detail.as_str(), request_id.as_deref())
                    }
                    Final::AnswerLost { detail, request_id } => {
                        ("answer-lost", detail.as_str(), request_id.as_deref())
                    }
                    Final::Failed { detail, request_id } => {
                        ("failed", detail.as_str(), request_id.as_deref())
                    }
                    Final::Skipped(why) => ("skipped", why.as_str(), None),
                };
                let line = [
                    it.planned.id.as_str(),
                    it.planned.label.as_str(),
                    outcome,
                    detail,
                    rid.unwrap_or(""),
                ]
                .map(csv_field)
                .join(",");
                out.push_str(&line);
                out.push_str("\r\n");
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bulk::test_support::{HEADER, id, send};
    use crate::bulk::{Outcome, Planned};

    #[test]
    fn the_csv_report_puts_problems_first_quotes_and_defuses_formulas() {
        let mut plan = vec![
            Planned {
                id: id(1).into(),
                label: "O'Brien, Liam".into(),
                ..Planned::default()
            },
            Planned {
                id: id(2).into(),
                label: "=HYPERLINK(\"x\")".into(),
                ..Planned::default()
            },
            Planned {
                id: id(3).into(),
                label: "王小明".into(),
                skip: Some("outside the window".into()),
                ..Planned::default()
            },
            Planned {
                id: id(4).into(),
                label: "\tstill running".into(),
                ..Planned::default()
            },
        ];
        plan[1].before.state = "deliveryFailed".into();
        let mut run = Run::planned(plan);
        assert_eq!(
            run.progress().skipped,
            1,
            "a rule skip counts from the start"
        );
        let batch = send(&mut run, 0);
        assert_eq!(batch, [id(1), id(2), id(4)], "a skipped item is never sent");
        run.record_sent(
            0,
            vec![
                (
                    id(1),
                    Outcome::Accepted {
                        request_id: Some("r".into()),
                    },
                ),
                (
                    id(2),
                    Outcome::Refused {
                        status: 400,
                        code: "BadRequest".into(),
                        message: "no".into(),
                        request_id: None,
                    },
                ),
            ],
            0,
        );
        let csv = run.report_csv(HEADER);
        let lines: Vec<String> = csv.split("\r\n").map(str::to_string).collect();
        assert_eq!(
            lines,
            [
                "id,item,outcome,detail,request_id".to_string(),
                format!(
                    "{},\"'=HYPERLINK(\"\"x\"\")\",failed,HTTP 400 BadRequest: no,",
                    id(2)
                ),
                format!("{},王小明,skipped,outside the window,", id(3)),
                format!("{},\"O'Brien, Liam\",accepted,,r", id(1)),
                String::new(),
            ]
        );
        // A tab is a separator as well as a formula trigger: defused and quoted.
        assert_eq!(csv_field("\tx"), "\"'\tx\"");
        assert_eq!(csv_field("-1+1"), "'-1+1");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
    }
}
