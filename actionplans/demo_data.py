"""The demo partnership, as plain data: the Oxfordshire Joint Targeted Area Inspection of
2016 and the action plan that answered it.

Transcribed from the council's own papers (the Cabinet paper of 19 July 2016 with its
Written Statement of Action and action plan, and the Performance Scrutiny paper of
October 2017). The project cannot read those papers at run time, so everything the
``load_demo`` command needs lives here.

What is faithful and what is invented:

- Faithful: the inspection, the inspectorates, the strengths and areas for improvement,
  the plan's sections, every action's text, "what will be different", "how will we
  know", completion date text and lead, the two "See 2.3" rows, the partners and boards
  that signed the plan off, and the glossary.
- Invented, for the demo only: the people who hold posts and their names (the demo must
  not put words in real people's mouths), the year of progress updates, due-date
  revisions, evidence links (on ``.example`` addresses that resolve nowhere), sign-offs
  and every measure figure except the 75% of referrals leading to NFA that inspectors
  reported. Narratives avoid naming months or seasons, because the loader moves the
  whole calendar forward so that the plan is live today.

Dates here are the plan's own (2016-17). ``load_demo`` shifts them by whole months so
that the plan went live about eleven months before the day it runs.
"""

import datetime as dt

D = dt.date

DEMO_PASSWORD = "demo-password"  # noqa: S105 - a published demo password, by design

PLAN_SLUG = "oxfordshire-jtai-2016"

# The plan went live when the Written Statement of Action went to Ofsted. Every other
# date is shifted by the same number of months as this one.
ORIGINAL_LIVE_FROM = D(2016, 8, 15)
# How long before "today" the demo plan went live, in months.
MONTHS_LIVE = 11
# Meetings are generated from the month before the plan was written to about four
# months after "today", so that each body has both past and upcoming meetings.
MEETINGS_FROM = D(2016, 6, 1)
MEETINGS_TO = D(2017, 11, 30)

# --- The partnership -------------------------------------------------------------------

AGENCIES = [
    {"name": "Oxfordshire County Council", "short_name": "OCC", "sector": "local_authority"},
    {"name": "Thames Valley Police", "short_name": "TVP", "sector": "police"},
    {
        "name": "Office of the Police and Crime Commissioner for Thames Valley",
        "short_name": "OPCC",
        "sector": "police",
    },
    {
        "name": "Oxford University Hospitals NHS Foundation Trust",
        "short_name": "OUH",
        "sector": "health",
    },
    {"name": "Oxford Health NHS Foundation Trust", "short_name": "OHFT", "sector": "health"},
    {"name": "Oxfordshire Clinical Commissioning Group", "short_name": "OCCG", "sector": "health"},
    {
        "name": "National Probation Service (South West and South Central)",
        "short_name": "NPS",
        "sector": "probation",
    },
    {
        "name": "Thames Valley Community Rehabilitation Company",
        "short_name": "CRC",
        "sector": "probation",
    },
    {"name": "Oxfordshire Youth Justice Service", "short_name": "YJS", "sector": "youth_justice"},
    {"name": "Oxfordshire Safeguarding Children Board", "short_name": "OSCB", "sector": "other"},
    {"name": "Oxford City Council", "short_name": "Oxford City", "sector": "local_authority"},
    {"name": "Gillotts School", "short_name": "Gillotts", "sector": "education"},
    {"name": "Windmill Primary School", "short_name": "Windmill", "sector": "education"},
    {"name": "The Warriner School", "short_name": "Warriner", "sector": "education"},
]

SCHOOLS = ["Gillotts", "Windmill", "Warriner"]

# The seven people who can sign in to the demo, one per role.
DEMO_USERS = [
    {
        "email": "officer@demo.example",
        "full_name": "Priya Raman",
        "role": "officer",
        "agency": "OCC",
    },
    {
        "email": "partner@demo.example",
        "full_name": "Mark Ellison",
        "role": "partner_officer",
        "agency": "TVP",
    },
    {
        "email": "manager@demo.example",
        "full_name": "Helen Marsh",
        "role": "plan_manager",
        "agency": "OCC",
    },
    {
        "email": "director@demo.example",
        "full_name": "Andrew Whitfield",
        "role": "director",
        "agency": "OCC",
    },
    {
        "email": "clerk@demo.example",
        "full_name": "Sarah Quinn",
        "role": "clerk",
        "agency": "OCC",
    },
    {
        "email": "member@demo.example",
        "full_name": "Margaret Ashby",
        "role": "member",
        "agency": "OCC",
    },
    {
        "email": "admin@demo.example",
        "full_name": "Tom Fielding",
        "role": "admin",
        "agency": "OCC",
        "is_staff": True,
        "is_superuser": True,
    },
]

# Named but fictional people who hold posts and write updates. They cannot sign in.
PEOPLE = [
    {"email": "rachel.denholm@staff.demo.example", "full_name": "Rachel Denholm", "role": "officer", "agency": "OCC"},
    {"email": "joanne.pritchard@staff.demo.example", "full_name": "Joanne Pritchard", "role": "officer", "agency": "OCC"},
    {"email": "martin.okafor@staff.demo.example", "full_name": "Martin Okafor", "role": "officer", "agency": "OCC"},
    {"email": "aisha.begum@staff.demo.example", "full_name": "Aisha Begum", "role": "officer", "agency": "OCC"},
    {"email": "gillian.hart@staff.demo.example", "full_name": "Gillian Hart", "role": "officer", "agency": "OCC"},
    {"email": "samuel.osei@staff.demo.example", "full_name": "Samuel Osei", "role": "officer", "agency": "OCC"},
    {"email": "daniel.price@staff.demo.example", "full_name": "Daniel Price", "role": "officer", "agency": "OCC"},
    {"email": "ruth.kaplan@staff.demo.example", "full_name": "Ruth Kaplan", "role": "officer", "agency": "OCC"},
    {"email": "emma.lowe@staff.demo.example", "full_name": "Emma Lowe", "role": "officer", "agency": "OCC"},
    {"email": "louise.carter@staff.demo.example", "full_name": "Louise Carter", "role": "officer", "agency": "OCC"},
    {"email": "fiona.grant@staff.demo.example", "full_name": "Dr Fiona Grant", "role": "partner_officer", "agency": "OSCB"},
    {"email": "steven.doyle@staff.demo.example", "full_name": "Steven Doyle", "role": "partner_officer", "agency": "NPS"},
    {"email": "naomi.fisher@staff.demo.example", "full_name": "Naomi Fisher", "role": "partner_officer", "agency": "CRC"},
    {"email": "lisa.thornton@staff.demo.example", "full_name": "Lisa Thornton", "role": "partner_officer", "agency": "OUH"},
    {"email": "karen.webb@staff.demo.example", "full_name": "Karen Webb", "role": "partner_officer", "agency": "OHFT"},
    {"email": "claire.hobbs@staff.demo.example", "full_name": "Claire Hobbs", "role": "partner_officer", "agency": "OCCG"},
    {"email": "owen.bradley@staff.demo.example", "full_name": "Owen Bradley", "role": "partner_officer", "agency": "YJS"},
]

# Posts and who held them from when to when (None: still holds it). The plan's Lead
# column names posts; plural leads ("CSC Area Managers") are one post with several holders.
POSTS = [
    {"agency": "OCC", "title": "Director of Children's Services",
     "holders": [("director@demo.example", D(2016, 9, 1), None)]},
    {"agency": "OCC", "title": "Strategic Safeguarding Partnerships Manager",
     "holders": [("manager@demo.example", D(2014, 6, 2), None)]},
    {"agency": "OCC", "title": "Principal Social Worker",
     "holders": [("officer@demo.example", D(2015, 9, 1), None)]},
    {"agency": "OCC", "title": "Committee Officer",
     "holders": [("clerk@demo.example", D(2013, 1, 7), None)]},
    {"agency": "OCC", "title": "Cabinet Member for Children and Family Services",
     "holders": [("member@demo.example", D(2013, 5, 20), None)]},
    {"agency": "OCC", "title": "Chair of MASH Steering Group",
     "holders": [("rachel.denholm@staff.demo.example", D(2015, 4, 1), None)]},
    {"agency": "OCC", "title": "Deputy Director CSC",
     "holders": [("joanne.pritchard@staff.demo.example", D(2014, 11, 3), None)]},
    # The post changed hands in the remodelling of early intervention services.
    {"agency": "OCC", "title": "Early Intervention Manager",
     "holders": [
         ("martin.okafor@staff.demo.example", D(2013, 5, 1), D(2016, 11, 30)),
         ("aisha.begum@staff.demo.example", D(2016, 12, 1), None),
     ]},
    {"agency": "OCC", "title": "Independent Reviewing Officer",
     "holders": [
         ("gillian.hart@staff.demo.example", D(2012, 3, 5), None),
         ("samuel.osei@staff.demo.example", D(2015, 1, 12), None),
     ]},
    {"agency": "OCC", "title": "CSC Area Manager",
     "holders": [
         ("daniel.price@staff.demo.example", D(2014, 2, 3), None),
         ("ruth.kaplan@staff.demo.example", D(2015, 6, 1), None),
         ("emma.lowe@staff.demo.example", D(2016, 1, 4), None),
     ]},
    {"agency": "OCC", "title": "Best Practice Educator",
     "holders": [("louise.carter@staff.demo.example", D(2015, 10, 5), None)]},
    {"agency": "OSCB", "title": "Chair of Performance, Audit and Quality Assurance Sub-Group of OSCB",
     "holders": [("fiona.grant@staff.demo.example", D(2015, 4, 1), None)]},
    {"agency": "TVP", "title": "Detective Inspector, MASH",
     "holders": [("partner@demo.example", D(2016, 1, 4), None)]},
    {"agency": "NPS", "title": "Senior Probation Officer, MASH",
     "holders": [("steven.doyle@staff.demo.example", D(2015, 7, 1), None)]},
    {"agency": "CRC", "title": "Senior Probation Officer",
     "holders": [("naomi.fisher@staff.demo.example", D(2015, 6, 1), None)]},
    {"agency": "OUH", "title": "Named Nurse for Safeguarding Children",
     "holders": [("lisa.thornton@staff.demo.example", D(2014, 9, 1), None)]},
    {"agency": "OHFT", "title": "Head of Safeguarding Children",
     "holders": [("karen.webb@staff.demo.example", D(2013, 10, 1), None)]},
    {"agency": "OCCG", "title": "Designated Nurse Safeguarding Children",
     "holders": [("claire.hobbs@staff.demo.example", D(2014, 4, 1), None)]},
    {"agency": "YJS", "title": "Youth Justice Team Manager",
     "holders": [("owen.bradley@staff.demo.example", D(2015, 3, 2), None)]},
]

# Governance bodies. ``schedule`` is (how often, nth weekday, weekday 0=Monday, months)
# in the plan's own calendar; the dates of the sign-off meetings fit these rules.
COUNTY_HALL = "County Hall, New Road, Oxford"
ALL_MONTHS = tuple(range(1, 13))
GOVERNANCE_BODIES = [
    {"name": "Oxfordshire County Council Cabinet", "short_name": "Cabinet", "kind": "cabinet",
     "agency": "OCC", "parent": None, "papers_due_working_days": 10, "location": COUNTY_HALL,
     "schedule": (3, 1, ALL_MONTHS)},
    {"name": "Performance Scrutiny Committee", "short_name": "PSC", "kind": "scrutiny",
     "agency": "OCC", "parent": None, "papers_due_working_days": 10, "location": COUNTY_HALL,
     "schedule": (1, 3, (2, 4, 6, 8, 10, 12))},
    {"name": "County Council Management Team", "short_name": "CCMT", "kind": "other",
     "agency": "OCC", "parent": None, "papers_due_working_days": 5, "location": COUNTY_HALL,
     "schedule": None},
    {"name": "Oxfordshire Safeguarding Children Board", "short_name": "OSCB", "kind": "board",
     "agency": "OSCB", "parent": None, "papers_due_working_days": 10, "location": "",
     "schedule": (2, 1, (1, 4, 7, 10))},
    {"name": "Safeguarding Children Executive Group", "short_name": "SCEG", "kind": "executive_group",
     "agency": "OSCB", "parent": "Oxfordshire Safeguarding Children Board", "papers_due_working_days": 5,
     "location": "", "schedule": (4, 2, ALL_MONTHS)},
    {"name": "MASH Steering Group", "short_name": "MASH SG", "kind": "subgroup",
     "agency": "OSCB", "parent": "Oxfordshire Safeguarding Children Board", "papers_due_working_days": 5,
     "location": "", "schedule": (1, 1, (1, 3, 5, 7, 9, 11))},
    {"name": "OSCB Child Sexual Exploitation Sub-Group", "short_name": "CSE Sub-Group", "kind": "subgroup",
     "agency": "OSCB", "parent": "Oxfordshire Safeguarding Children Board", "papers_due_working_days": 5,
     "location": "", "schedule": (3, 2, (1, 4, 7, 10))},
    {"name": "OSCB Performance, Audit and Quality Assurance Sub-Group", "short_name": "PAQA",
     "kind": "subgroup", "agency": "OSCB", "parent": "Oxfordshire Safeguarding Children Board",
     "papers_due_working_days": 5, "location": "", "schedule": (1, 2, (3, 6, 9, 12))},
    {"name": "OSCB Case Review and Governance Sub-Group", "short_name": "CRAG", "kind": "subgroup",
     "agency": "OSCB", "parent": "Oxfordshire Safeguarding Children Board", "papers_due_working_days": 5,
     "location": "", "schedule": (2, 3, (2, 5, 8, 11))},
]

# --- The inspection --------------------------------------------------------------------

INSPECTION = {
    "title": "Joint targeted area inspection of the multi-agency response to abuse and neglect in Oxfordshire",
    "kind": "jtai",
    "inspectorates": ["ofsted", "cqc", "hmicfrs", "hmi_probation"],
    "area": "Oxfordshire",
    # "In early March": the week on site. The letter is dated 10 May; the WSoA was due
    # with Ofsted by 15 August.
    "onsite_from": D(2016, 3, 7),
    "onsite_to": D(2016, 3, 11),
    "published_on": D(2016, 5, 10),
    "wsoa_due_on": D(2016, 8, 15),
    "summary": (
        "Ofsted, the Care Quality Commission, HMI Constabulary and HMI Probation undertook a joint "
        "inspection of the multi-agency response to child sexual exploitation, children missing from "
        "home, care or education and the front door to children's social care. Overall the letter is "
        "positive: Oxfordshire has 'a highly developed and well-functioning approach to tackling "
        "exploitation' and 'no children were identified as at risk from harm'. Strengths outweigh "
        "areas for improvement, which fall in three areas: the front door of services and the MASH; "
        "standards of practice (assessments, recording and timeliness, supervision); and resources "
        "and performance management."
    ),
}

# (theme, text) from section 2 of the Written Statement of Action.
STRENGTHS = [
    ("Leadership", "Strategic leadership from individuals, agencies and in the Oxfordshire Safeguarding Children Board (OSCB)."),
    ("Child sexual exploitation", "The Kingfisher Team which provides specialist multi-agency responses to children at risk of exploitation and its links to MASH – the multi-agency safeguarding hub and with the Youth Justice Services."),
    ("Front door and MASH", "The responsiveness of local authority, police and health services."),
    ("Child sexual exploitation", "A high standard of inter-agency working with sexually exploited children and a clear commitment to safeguarding children at risk including listening to children about what works."),
    ("Resources", "Significant investment from the local authority, police and health agencies."),
    ("Leadership", "Effective leadership and commitment from senior leaders of all agencies led by the Director of Children's Services, the Council's County Director (formerly Head of Paid Service) and senior politicians."),
    ("Health", "Strong collaboration between health providers at all levels to ensure early identification, reporting of concerns and sensitive working with children and families."),
    ("Commissioning", "The commissioning of the specialist Child and Adolescent Harmful Behaviour Service, complemented by the Horizon Service providing advice to professionals and a range of therapeutic interventions for children who have experienced sexual abuse."),
    ("Leadership", "The success of the OSCB in leading the development of robust multi-agency services to exploited children."),
    ("Management oversight", "Good oversight of practice by professionals across all agencies including effective decision making at all points in the sexually exploited children's journey to safety."),
    ("Child sexual exploitation", "Clear and coherent disruption activity to identify and tackle perpetrators without always relying on vulnerable victims to make complaints."),
    ("Child sexual exploitation", "Work with hotels, taxi drivers and the wider community to identify and report signs of child sexual exploitation."),
    ("Missing children", "Work with young people who repeatedly go missing provides robust assessment, monitoring and review of risk and impact for all individual children on a multi-agency basis through the Missing Children Panel."),
]

# --- The plan --------------------------------------------------------------------------

PLAN = {
    # The year in the title is the (shifted) year of the inspection.
    "title": "Oxfordshire Joint Targeted Area Inspection {year}: Action Plan",
    "plan_date": D(2016, 6, 30),  # "June 2016" on the Cabinet paper
    "monitoring_body": "Safeguarding Children Executive Group",
    "manager": "manager@demo.example",
    # Section 1 and section 4 of the Written Statement of Action. {inspected} and
    # {letter} are filled with the shifted dates.
    "introduction": (
        "Partners in Oxfordshire welcome the outcome of the Joint Targeted Area Inspection undertaken "
        "in {inspected} which included a deep dive focus on the response to child sexual exploitation "
        "and those missing from home, care or education and a focus on the 'front door' of children's "
        "services. The letter of {letter} from the four inspectorates outlines the findings and "
        "identifies an extensive range of key strengths particularly in relation to the multi-agency "
        "response to child sexual exploitation and children missing. It is important recognition that "
        "key agencies have learned lessons from recent investigations into child sexual exploitation "
        "and have acted effectively to improve performance.\n\n"
        "This statement of action is supported by a more detailed action plan which will be monitored "
        "by the Oxfordshire Safeguarding Children Executive Group to ensure that timely progress is made "
        "and all partners are held to account for delivering on the actions agreed and that the "
        "learning from the Joint Targeted Area Inspection is embedded across all services."
    ),
}

# Section 5, "Sign up by Partners": (agency, person, post as the paper gives it). The
# paper does not date each endorsement; they are dated to the OSCB meeting that signed
# the plan off, and the Director's to the Cabinet meeting.
OSCB_SIGN_OFF = D(2016, 7, 12)
CABINET_SIGN_OFF = D(2016, 7, 19)
PARTNER_SIGN_OFFS = [
    ("OCC", "Jim Leivers", "Director of Children's Services", CABINET_SIGN_OFF),
    ("OCCG", "David Smith", "Chief Executive Officer, NHS Oxfordshire CCG", OSCB_SIGN_OFF),
    ("OPCC", "Anthony Stansfeld", "Police and Crime Commissioner", OSCB_SIGN_OFF),
    ("TVP", "Jason Hogg", "Assistant Chief Constable, Thames Valley Police", OSCB_SIGN_OFF),
    ("YJS", "Amrik Panaser", "Youth Justice Service County Manager", OSCB_SIGN_OFF),
    ("CRC", "Gabriel Amahwe", "CEO, Community Rehabilitation Company", OSCB_SIGN_OFF),
    ("NPS", "Angela Cossins", "Deputy Director National Probation Service, South West and South Central", OSCB_SIGN_OFF),
    ("OSCB", "Paul Burnett", "Interim Chair of Oxfordshire Safeguarding Children Board", OSCB_SIGN_OFF),
    ("OHFT", "Stuart Bell", "Chief Executive Officer, Oxford Health NHS Foundation Trust", OSCB_SIGN_OFF),
    ("OUH", "Bruno Holtoff", "Chief Executive Officer, Oxford University Hospitals, NHS Foundation Trust", OSCB_SIGN_OFF),
]

# "This response has been signed off by the following Boards/Governing bodies".
BOARD_SIGN_OFFS = [
    ("MASH Steering Group", D(2016, 7, 5)),
    ("County Council Management Team", D(2016, 7, 6)),
    ("Oxfordshire Safeguarding Children Board", OSCB_SIGN_OFF),
    ("Oxfordshire County Council Cabinet", CABINET_SIGN_OFF),
    ("OSCB Child Sexual Exploitation Sub-Group", D(2016, 7, 20)),
]

# (number, title, parent number, issues raised by inspectors as the plan quotes them,
# theme of the finding). Top sections 2 and 3 only group their sub-sections.
SECTIONS = [
    ("1", "Front Door of Services and Multi-Agency Safeguarding Hub (MASH)", None,
     "Not all children receive a high quality and timely response at the point of referral to "
     "children's services. Thresholds for interventions are not generally well understood and "
     "responses are inconsistent and it is not always clear how decisions are made. 75% of referrals "
     "lead to NFA or are stepped down to early help. Some referrals lack key information. Some "
     "schools do not know who their MASH representative is.",
     "Front door and MASH"),
    ("2", "Standards of Practice", None, "", ""),
    ("2.1", "Assessments", "2",
     "General requests for information from the police on cases that would support assessments are "
     "delayed in low risk cases and NPS only responding effectively where risk had been identified. "
     "The quality of analysis and information gathering within assessments in CSC assessment teams is "
     "variable leading to poor decision making and drift. Assessments not routinely recording full "
     "details and some examples of optimistic assessments seen.",
     "Assessments"),
    ("2.2", "Recording and Timeliness", "2",
     "Recording of discussions and actions at some multi-agency strategy meetings are not "
     "sufficiently robust and comprehensive and are not held in a timely way. Strategy meetings only "
     "held once it was recognised there were partnership issues delaying children receiving full "
     "range of services needed. Records not showing how children had been engaged and how they had "
     "contributed to assessment and planning processes, including reflecting their views and "
     "experiences. Social Care case recording out of date and records not reflecting key "
     "information, including from partners which are not reflected in decision making. Action plans "
     "requiring named individuals to complete actions and timescales.",
     "Recording and timeliness"),
    ("2.3", "Supervision", "2",
     "Supervision and management sign off of assessments do not sufficiently challenge poor practice "
     "including gaps, missing information, poor recording, drift and delay particularly in low "
     "priority cases.",
     "Supervision"),
    ("3", "Resources and Performance Management", None, "", ""),
    ("3.1", "Resources", "3",
     "Some very high caseloads for children's social workers adversely affecting quality. Evidence "
     "of increased demand whilst social work resources have not kept pace and are unable to meet "
     "need.",
     "Resources and caseloads"),
    ("3.2", "Performance Management", "3",
     "The LSCB does not set baselines and targets to measure against when monitoring partners' "
     "performance and the effectiveness of action taken e.g. for the MASH.",
     "Performance management"),
]

# --- The actions -----------------------------------------------------------------------
#
# Each action: reference, section, the plan's text, due (year, month) as the plan's
# "MM/YYYY" means the end of that month, the lead post (agency, title) and the lead as
# written where it names more than one post. ``updates`` are (date, proposed RAG, status,
# narrative[, author email]); the author defaults to whoever held the lead post that day.
# ``revisions`` are (requested on, new due (year, month), reason, decided on or None);
# each old date is the due date before it. ``evidence`` is (date, kind, description,
# url); ``sign_offs`` is (stage, signed by, date, note).

MANAGER = "manager@demo.example"
DIRECTOR = "director@demo.example"
PARTNER = "partner@demo.example"
NPS_SPO = "steven.doyle@staff.demo.example"
RUTH = "ruth.kaplan@staff.demo.example"
EMMA = "emma.lowe@staff.demo.example"
SAMUEL = "samuel.osei@staff.demo.example"
EDUCATOR = "louise.carter@staff.demo.example"

INTRANET = "https://intranet.oxfordshire.demo.example"
OSCB_SITE = "https://www.oscb.demo.example"

MASH_CHAIR = ("OCC", "Chair of MASH Steering Group")
PSW = ("OCC", "Principal Social Worker")
DD_CSC = ("OCC", "Deputy Director CSC")
EIM = ("OCC", "Early Intervention Manager")
IRO = ("OCC", "Independent Reviewing Officer")
AREA_MANAGER = ("OCC", "CSC Area Manager")
PAQA_CHAIR = ("OSCB", "Chair of Performance, Audit and Quality Assurance Sub-Group of OSCB")

ACTIONS = [
    {
        "reference": "1.1",
        "section": "1",
        "description": "Children's Social Care, Police, Health to lead on the remodeling of the MASH and improved interface with new CSC Assessment Duty Teams.",
        "outcome": "Referral routes into CSC are clear. Published response times to referrals will be met.",
        "success_measure": "Incremental rise each quarter in timeliness of response over next year.",
        "due_text": "08/2017",
        "due": (2017, 8),
        "lead": MASH_CHAIR,
        "partners": ["TVP", "OUH", "OHFT", "OCCG"],
        "delegates": [PARTNER],
        "updates": [
            (D(2016, 8, 24), "green", "in_progress",
             "The review of the MASH is underway with partners. The MASH Steering Group has agreed the new "
             "model of delivery: lower risk contacts, where the potential for uncovering hidden harm is "
             "greater, are prioritised in the MASH, and high risk cases and those clearly requiring an "
             "assessment are fast tracked to the Children and Families Assessment Teams, where agency "
             "checks are completed within the assessment."),
            (D(2016, 9, 21), "green", "in_progress",
             "The new referral form for Children's Social Care has gone live, with clear links to the "
             "Threshold of Needs Matrix and a requirement for supporting evidence. Thames Valley Police, "
             "Oxford Health and Oxford University Hospitals have confirmed their staffing of the MASH under "
             "the new model."),
            (D(2016, 10, 19), "amber", "in_progress",
             "Go-live of the new model is held to the agreed date, but recruitment to two MASH social "
             "worker posts is not complete and agency cover is in place. Health partners are reviewing "
             "their information-sharing protocol for lower risk contacts. Amber until the posts are filled."),
            (D(2016, 11, 23), "amber", "in_progress",
             "The new MASH model went live alongside the new Assessment Duty Teams. First data: 68% of "
             "contacts receive a decision within 24 hours against the published standard of 90% (baseline "
             "62%). The Steering Group is reviewing performance weekly."),
            (D(2016, 12, 14), "amber", "in_progress",
             "First full month of the new model: 71% of contacts decided within 24 hours. Thames Valley "
             "Police MASH staff now attend the daily triage meeting with CSC and health, which has reduced "
             "repeat police checks."),
            (D(2017, 1, 18), "amber", "in_progress",
             "Timeliness of response rose again this quarter, to 74% of contacts decided within 24 hours. "
             "Published response times are now on the OSCB website and in the acknowledgement sent to every "
             "referrer. Both MASH social worker posts are filled."),
            (D(2017, 2, 15), "amber", "in_progress",
             "Referral routes into CSC and the Locality and Community Support Service published to all "
             "partners. Health partners have signed the revised information-sharing protocol. Timeliness "
             "holding at 75%."),
            (D(2017, 3, 15), "amber", "in_progress",
             "Timeliness is at 79%. Contacts to the MASH rose by 11% on the same period last year, which is "
             "slowing further improvement; the Steering Group has asked partners for a demand analysis to "
             "inform staffing for next year."),
            (D(2017, 4, 12), "amber", "in_progress",
             "Contacts to the MASH remain above last year's level. Partners agreed at the Steering Group to "
             "pilot a consultation line for schools to reduce contacts that do not meet the threshold for "
             "CSC."),
            (D(2017, 5, 17), "amber", "in_progress",
             "The demand analysis was presented to the Safeguarding Children Executive Group. Thames Valley "
             "Police have agreed an additional MASH researcher post. Referral routes into CSC are published "
             "and understood (see the audit at 1.2).", PARTNER),
            (D(2017, 6, 14), "amber", "in_progress",
             "The schools consultation pilot has reduced contacts from schools by 9%. The additional MASH "
             "researcher has been appointed by Thames Valley Police and starts shortly."),
            (D(2017, 7, 12), "amber", "in_progress",
             "Timeliness is at 83% of contacts decided within 24 hours: an incremental rise each quarter "
             "since the baseline, but still short of the published 90%. On track to complete the "
             "remodelling by the due date; the measure continues to be reported to the Executive Group."),
        ],
    },
    {
        "reference": "1.2",
        "section": "1",
        "description": "6 monthly audits take place of pathway into CSC, including the MASH to assess quality of referral.",
        "outcome": "High quality referrals with timely response.",
        "success_measure": "Audits of 50 cases demonstrate that cases meet required standards in relation to quality of referral, response and feedback to referrers.",
        "due_text": "01/2017",
        "due": (2017, 1),
        "lead": MASH_CHAIR,
        "partners": ["TVP", "OCCG"],
        "updates": [
            (D(2016, 9, 14), "green", "in_progress",
             "Audit tool for the pathway into CSC agreed by the MASH Steering Group, covering quality of "
             "referral, response and feedback to referrers. A sample of 50 cases will be drawn across all "
             "referral sources including schools, health and police."),
            (D(2016, 11, 16), "green", "in_progress",
             "First six-monthly audit under way with auditors from CSC, Thames Valley Police and the CCG "
             "safeguarding team. Fieldwork will be completed after the new MASH model goes live so that "
             "both routes into CSC are tested."),
            (D(2017, 1, 25), "green", "delivered",
             "First six-monthly audit of 50 cases completed and reported to the MASH Steering Group: 84% of "
             "referrals met the required standard for quality of information, up from 61% in the audit "
             "before the inspection. Gaps remain in referrals from some schools, which the termly reminders "
             "(1.6) and TON training (1.8) address."),
            (D(2017, 7, 5), "green", "delivered",
             "Second six-monthly audit of 50 cases completed: 88% of referrals met the required standard. "
             "The audit cycle is embedded in the MASH quality assurance calendar. The outcome will be "
             "evidenced once further audits show the standard is sustained."),
        ],
        "evidence": [
            (D(2017, 1, 25), "audit", "First six-monthly audit of the pathway into CSC: 50 cases",
             f"{INTRANET}/mash/audits/pathway-audit-1"),
        ],
        "sign_offs": [("delivered", MANAGER, D(2017, 2, 1), "First audit reported to the MASH Steering Group.")],
    },
    {
        "reference": "1.3",
        "section": "1",
        "description": "6 monthly audits of response and feedback to referrers.",
        "outcome": "Clear feedback to referrer, baseline agreed and monitored with escalation process. All referrals have a clearly recorded outcome",
        "success_measure": "Referrer receives feedback within published response times in 100% of audited cases. 100% referrals have a clear outcome",
        "due_text": "03/2017",
        "due": (2017, 3),
        "lead": MASH_CHAIR,
        "partners": ["TVP", "OUH", "OHFT"],
        "updates": [
            (D(2016, 9, 14), "green", "in_progress",
             "Baseline for feedback to referrers to be agreed at the MASH Steering Group alongside the "
             "escalation process. The case recording system will record the outcome of every contact."),
            (D(2016, 11, 16), "amber", "in_progress",
             "Baseline agreed: in a dip sample before the new model, 54% of referrers received feedback "
             "within published response times. The escalation process for referrers who do not hear back "
             "is drafted and with partners for comment."),
            (D(2016, 12, 14), "amber", "in_progress",
             "New model live; the outcome of every contact is now recorded on the case recording system. A "
             "monthly dip sample of feedback to referrers has started."),
            (D(2017, 1, 25), "amber", "in_progress",
             "First audit of response and feedback completed alongside the audit at 1.2: referrers received "
             "feedback within published response times in 71% of cases; 93% of referrals had a clearly "
             "recorded outcome. Escalation process agreed by the OSCB."),
            (D(2017, 2, 22), "amber", "in_progress",
             "Monthly dip sample: 73% of referrers received feedback within published response times. The "
             "escalation process is in use; four escalations from schools were resolved this month."),
            (D(2017, 3, 22), "amber", "in_progress",
             "Second audit postponed: audit capacity in the MASH is being used for the demand analysis "
             "requested by the Steering Group (1.1). A revised date will be requested."),
            (D(2017, 4, 19), "red", "in_progress",
             "Overdue. The second audit is now planned once the additional MASH researcher is in post. "
             "Feedback to referrers in monthly dip samples stands at 76%, short of the 100% target. "
             "Revised date requested."),
            (D(2017, 5, 17), "red", "in_progress",
             "Still overdue while the revised date awaits a decision. Police and health auditors identified "
             "for the second audit and the sample drawn."),
            (D(2017, 6, 21), "red", "in_progress",
             "Audit fieldwork under way with police and health auditors. Referrers are now sent an "
             "automated acknowledgement and outcome letter from the case recording system; early dip "
             "samples show 89% of referrers receive feedback within published response times."),
            (D(2017, 7, 12), "red", "in_progress",
             "Second audit fieldwork complete; findings go to the next MASH Steering Group. Dip sample: 91% "
             "of referrers received feedback within response times and 98% of referrals had a clearly "
             "recorded outcome."),
        ],
        "revisions": [
            (D(2017, 4, 19), (2017, 9),
             "Second audit deferred until the additional MASH researcher is in post and the new "
             "acknowledgement and outcome letters have been in use for a full quarter.", None),
        ],
    },
    {
        "reference": "1.4",
        "section": "1",
        "description": "Review CSC audit systems in remodelled service.",
        "outcome": "Audit process including collation and dissemination revised and embedded in new roles.",
        "success_measure": "Monthly audits in place and reported to senior management, informing strategic planning.",
        "due_text": "02/2017",
        "due": (2017, 2),
        "lead": PSW,
        "updates": [
            (D(2016, 9, 7), "green", "in_progress",
             "Review of CSC audit systems started, mapping current audit activity against the roles in the "
             "remodelled service so that collation and dissemination of audit findings sit with named posts."),
            (D(2016, 11, 9), "green", "in_progress",
             "Draft audit framework for the remodelled service agreed by the CSC Leadership Team: monthly "
             "thematic audits by team managers, moderated by the Principal Social Worker and the Best "
             "Practice Educators."),
            (D(2017, 1, 11), "amber", "in_progress",
             "The Quality Assurance Officer post needed to collate audits will not be filled until the new "
             "service structure is in place. Revised date requested."),
            (D(2017, 3, 8), "green", "in_progress",
             "Revised date agreed. The first two monthly audit cycles have been completed in the new roles; "
             "findings collated and disseminated to teams through 'In the Loop'."),
            (D(2017, 5, 24), "green", "delivered",
             "Monthly audits in place across all teams and reported to the CSC Senior Leadership Team each "
             "month. Audit findings now inform the service plan and the workforce development programme."),
            (D(2017, 6, 28), "blue", "outcome_evidenced",
             "Three consecutive monthly audit reports presented to senior management and used in strategic "
             "planning, including the decision to prioritise supervision practice (2.3). Complete, with "
             "evidence of impact."),
        ],
        "revisions": [
            (D(2017, 1, 11), (2017, 5),
             "Revised due to need for additional resource: the Quality Assurance Officer post that collates "
             "audits is not filled until the remodelled service is in place.", D(2017, 1, 25)),
        ],
        "evidence": [
            (D(2017, 5, 24), "link", "Monthly CSC audit report to the Senior Leadership Team",
             f"{INTRANET}/csc/quality-assurance/monthly-audit-report"),
            (D(2017, 6, 28), "minutes", "Senior Leadership Team minutes: audit findings used in service planning",
             f"{INTRANET}/csc/slt/minutes/audit-findings"),
        ],
        "sign_offs": [
            ("delivered", MANAGER, D(2017, 5, 30), "Monthly audits reported to senior management."),
            ("outcome_evidenced", DIRECTOR, D(2017, 7, 3), "Audit findings seen informing strategic planning."),
        ],
    },
    {
        "reference": "1.5",
        "section": "1",
        "description": "Children's Social Care to develop new Locality and Community Support Teams.",
        "outcome": "Integrated model of early help and CSC in place with fully functioning Locality and Community Support Teams.",
        "success_measure": "See evidence above.",
        "due_text": "11/2016",
        "due": (2016, 11),
        "lead": DD_CSC,
        "partners": ["OHFT", "Oxford City"],
        "updates": [
            (D(2016, 8, 31), "green", "in_progress",
             "Staff consultation for the new service has been completed. The Locality and Community Support "
             "Service will work very closely with schools, primary health services and community groups, "
             "supporting professionals worried about a child at an earlier stage."),
            (D(2016, 10, 12), "amber", "in_progress",
             "Recruitment to Locality and Community Support Team posts is running behind plan following the "
             "staff consultation. Revised date requested to align with the go-live of the remodelled "
             "Family Support Service."),
            (D(2016, 11, 9), "amber", "in_progress",
             "Revised date agreed. An interim consultation line for professionals is running from the MASH."),
            (D(2017, 1, 11), "green", "in_progress",
             "Locality and Community Support Team managers appointed in all three areas; induction under way "
             "with partners from Oxford Health and the district councils."),
            (D(2017, 2, 22), "green", "delivered",
             "Locality and Community Support Teams live in all three areas, providing consultation and advice "
             "to professionals who are worried about a child and triaging enquiries before they reach "
             "Children's Social Care. Effectiveness will be tested by the survey at 1.9."),
            (D(2017, 5, 10), "green", "delivered",
             "First quarter of the service: 1,140 consultations with professionals, 38% of them from schools. "
             "Feedback will form part of the survey at 1.9."),
        ],
        "revisions": [
            (D(2016, 10, 12), (2017, 2),
             "Revised to align with the go-live of the remodelled Family Support Service after the staff "
             "consultation; recruitment to the new teams is not complete.", D(2016, 10, 26)),
        ],
        "sign_offs": [("delivered", MANAGER, D(2017, 3, 1), "Teams live in all three areas.")],
    },
    {
        "reference": "1.6",
        "section": "1",
        "description": "Termly reminders to be sent to schools about the TON Matrix and how to refer to CSC.",
        "outcome": "Thresholds are understood and referrals meet required standards.",
        "success_measure": "100% of schools receive termly reminders.",
        "due_text": "From 09/2016",
        "start": (2016, 9),
        "lead": DD_CSC,
        "partners": SCHOOLS,
        "updates": [
            (D(2016, 9, 14), "green", "in_progress",
             "First termly reminder sent to all schools through the schools e-bulletin and to designated "
             "safeguarding leads directly: how to refer to CSC, the Threshold of Needs Matrix and the name "
             "of each school's MASH contact."),
            (D(2016, 10, 26), "green", "in_progress",
             "Designated safeguarding leads briefed at the termly network meetings; every school now knows "
             "who its MASH representative is."),
            (D(2017, 1, 11), "green", "in_progress",
             "Second termly reminder sent, with the new referral form and the contact details of the "
             "Locality and Community Support Teams. Receipt confirmed by 96% of schools; the remaining "
             "schools were contacted by their locality team."),
            (D(2017, 4, 26), "green", "in_progress",
             "Third termly reminder sent to 100% of schools. The reminder is now a standing item in the OSCB "
             "schools e-bulletin so that it continues after the plan closes."),
            (D(2017, 6, 14), "green", "in_progress",
             "Next termly reminder drafted; it includes the TON Matrix training and e-learning for schools "
             "still to attend (1.8)."),
            (D(2017, 7, 12), "green", "in_progress",
             "Termly reminder sent to 100% of schools, with the TON Matrix e-learning link and each school's "
             "locality team contact."),
        ],
    },
    {
        "reference": "1.7",
        "section": "1",
        "description": "Review of Threshold of Needs Matrix.",
        "outcome": "Strategy meetings identified early in accordance with TON criteria.",
        "success_measure": "TON matrix relaunched.",
        "due_text": "11/2016",
        "due": (2016, 11),
        "lead": EIM,
        "partners": ["OSCB", "OCCG"],
        "updates": [
            (D(2016, 8, 31), "green", "in_progress",
             "Review of the Threshold of Needs Matrix started with a multi-agency task group of the OSCB, "
             "including health, police, schools and the voluntary sector."),
            (D(2016, 9, 28), "green", "in_progress",
             "Revised matrix drafted, with clearer descriptors for each level of need and guidance on when "
             "to hold a strategy meeting in accordance with the TON criteria. Consultation with partners "
             "under way."),
            (D(2016, 10, 26), "green", "delivered",
             "Revised Threshold of Needs Matrix approved by the OSCB and relaunched with the new early help "
             "assessment. Published on the OSCB website with the referral form."),
            (D(2017, 1, 18), "green", "delivered",
             "Multi-agency dip sample of strategy meetings used to test the outcome: strategy meetings held "
             "early in accordance with the TON criteria in 82% of sampled cases, up from 55%."),
            (D(2017, 3, 29), "blue", "outcome_evidenced",
             "Second dip sample shows 87% of strategy meetings identified early in accordance with the TON "
             "criteria. The OSCB Performance, Audit and Quality Assurance Sub-Group confirmed the relaunched "
             "matrix is in use across agencies. Complete, with evidence of impact."),
        ],
        "evidence": [
            (D(2016, 10, 26), "link", "Threshold of Needs Matrix (relaunched), OSCB website",
             f"{OSCB_SITE}/professionals/threshold-of-needs-matrix"),
            (D(2017, 3, 29), "minutes", "PAQA Sub-Group minutes confirming the matrix is in use across agencies",
             f"{OSCB_SITE}/subgroups/paqa/minutes"),
        ],
        "sign_offs": [
            ("delivered", MANAGER, D(2016, 11, 2), "Matrix relaunched and published."),
            ("outcome_evidenced", DIRECTOR, D(2017, 4, 5), "Two dip samples show strategy meetings identified early."),
        ],
    },
    {
        "reference": "1.8",
        "section": "1",
        "description": "Launch TON Matrix via multi agency training and local planning days as part of launch of new model.",
        "outcome": "Thresholds are understood and referrals meet required standards.",
        "success_measure": "Training on TON matrix delivered to 100% of schools.",
        "due_text": "04/2017",
        "due": (2017, 4),
        "lead": EIM,
        "partners": SCHOOLS + ["OSCB"],
        "updates": [
            (D(2016, 11, 16), "green", "in_progress",
             "Training programme for the relaunched TON Matrix agreed with the OSCB training team: half-day "
             "multi-agency sessions and local planning days in each locality as part of the launch of the "
             "new model."),
            (D(2017, 1, 18), "green", "in_progress",
             "First round of multi-agency training delivered; 64 schools attended. Local planning days are "
             "booked in all three areas."),
            (D(2017, 3, 1), "amber", "in_progress",
             "Training delivered to 142 of 268 schools (53%). Attendance from secondary schools is good; "
             "smaller primary schools find it hard to release staff, so twilight sessions have been added."),
            (D(2017, 4, 12), "amber", "in_progress",
             "Training delivered to 198 schools (74%). Not all schools will be reached by the due date."),
            (D(2017, 5, 10), "red", "in_progress",
             "Overdue. Training delivered to 209 of 268 schools (78%). Locality and Community Support Teams "
             "are visiting the remaining schools and an e-learning module is being commissioned through "
             "the OSCB."),
            (D(2017, 6, 21), "red", "in_progress",
             "Training delivered to 221 schools (82%). The e-learning module is live; 47 schools still to "
             "complete. A revised date will be proposed to the Executive Group."),
            (D(2017, 7, 12), "red", "in_progress",
             "232 of 268 schools (87%) have now had TON Matrix training or completed the e-learning. Locality "
             "teams have a named contact for each remaining school. The revised date is still to be proposed "
             "to the Executive Group."),
        ],
    },
    {
        "reference": "1.9",
        "section": "1",
        "description": "Survey of schools, health partners and community groups to be undertaken to test out effectiveness of new model and understanding of thresholds and CSC processes",
        "outcome": "Professionals in schools and communities are supported earlier when they are worried about a child, can state what the thresholds are/can reference the document they would refer to in making a referral.",
        "success_measure": "Survey of schools, health partners and community groups demonstrates effectiveness of new model and understanding of thresholds and CSC processes with 60% response rate",
        "due_text": "11/2017",
        "due": (2017, 11),
        "lead": DD_CSC,
        "partners": SCHOOLS + ["OHFT", "OUH", "Oxford City"],
        "updates": [
            (D(2017, 2, 22), "green", "not_started",
             "The survey will take place after the new service has been running for a year, as set out in "
             "the Written Statement of Action. Survey design to be agreed with the OSCB Performance, Audit "
             "and Quality Assurance Sub-Group."),
            (D(2017, 5, 24), "green", "not_started",
             "Draft questions agreed with partners, testing understanding of thresholds, the referral routes "
             "and CSC processes. Distribution list for schools, health partners and community groups being "
             "compiled with the district councils."),
            (D(2017, 7, 5), "green", "not_started",
             "Oxford Health, Oxford University Hospitals and Oxford City Council have agreed to promote the "
             "survey to reach the 60% response rate. On track for the due date."),
        ],
    },
    {
        "reference": "2.1.1",
        "section": "2.1",
        "description": "Police and NPS to review information sharing processes and timeliness for low risk cases as part of 1 above.",
        "outcome": "Information shared in a timely way for all cases, including low risk cases.",
        "success_measure": "Incremental rise each quarter in timeliness of information share over next year.",
        "due_text": "08/2017",
        "due": (2017, 8),
        "lead": MASH_CHAIR,
        "partners": ["TVP", "NPS", "CRC"],
        "delegates": [PARTNER, NPS_SPO],
        "updates": [
            (D(2016, 9, 7), "green", "in_progress",
             "Thames Valley Police and the National Probation Service have started a review of information "
             "sharing for low risk cases as part of the MASH review (1.1). Baseline: police checks on low "
             "risk cases returned in an average of 6 working days."),
            (D(2016, 10, 19), "green", "in_progress",
             "TVP: MASH research officers now complete police checks on low risk contacts in the same triage "
             "as high risk contacts. A daily list of outstanding checks is reviewed by the MASH Detective "
             "Inspector.", PARTNER),
            (D(2016, 11, 16), "green", "in_progress",
             "TVP: with the new MASH model live, low risk police checks are tracked on the same daily list as "
             "high risk checks. Average return for low risk checks is down to 3 working days.", PARTNER),
            (D(2016, 12, 14), "amber", "in_progress",
             "NPS: a single point of contact for the MASH agreed for the Oxfordshire local delivery unit. "
             "NPS responses to low risk requests average 5 working days against a target of 2.", NPS_SPO),
            (D(2017, 1, 18), "amber", "in_progress",
             "NPS: the MASH single point of contact is in place but covered by one officer; responses to low "
             "risk requests average 4 working days. Cover arrangements are being agreed.", NPS_SPO),
            (D(2017, 2, 15), "amber", "in_progress",
             "TVP: police information on low risk cases shared within 24 hours in 81% of requests this "
             "quarter (baseline 44%).", PARTNER),
            (D(2017, 3, 15), "amber", "in_progress",
             "Quarterly review at the MASH Steering Group: police timeliness is improving each quarter; NPS "
             "timeliness is not yet improving. NPS asked to report to the next meeting."),
            (D(2017, 4, 19), "red", "in_progress",
             "NPS: staff shortages in the local delivery unit have reversed progress; only 38% of low risk "
             "requests were answered within 2 working days this quarter. Escalated by the MASH Steering "
             "Group to the NPS Deputy Director.", NPS_SPO),
            (D(2017, 5, 17), "red", "in_progress",
             "NPS: recruitment to the vacant probation officer post in the local delivery unit is under way, "
             "with a duty rota for MASH requests meanwhile. 52% of low risk requests answered within 2 "
             "working days.", NPS_SPO),
            (D(2017, 6, 14), "red", "in_progress",
             "TVP: 86% of low risk requests answered within 24 hours. NPS response times remain outside the "
             "agreed standard; the CRC has agreed to use the same single point of contact. Red until NPS "
             "performance recovers.", PARTNER),
            (D(2017, 7, 12), "red", "in_progress",
             "Police information sharing on low risk cases meets the standard. NPS at 61% within 2 working "
             "days: improving, but the action stays red until the incremental rise is sustained for a "
             "quarter."),
        ],
    },
    {
        "reference": "2.1.2",
        "section": "2.1",
        "description": "CSC to revise training on 'Analysis into Assessment' (AiA) and develop Action Learning Sets for seniors and managers.",
        "outcome": "High quality holistic assessments; improved decision making; realistic planning; child is involved in the planning.",
        "success_measure": "Lunchtime training and Action Learning arrangements in place across social work teams, one in each area to implement AiA. 100% newly qualified social workers completed Analysis into Assessment training during their ASYE.",
        "due_text": "09/2016",
        "due": (2016, 9),
        "lead": PSW,
        "lead_text": "Principal Social Worker/ Best Practice Educators.",
        "delegates": [EDUCATOR],
        "updates": [
            (D(2016, 8, 24), "green", "in_progress",
             "'Analysis into Assessment' training has been commissioned and integrated within the Children's "
             "Social Care Learning and Development programme. Action Learning Sets for seniors and managers "
             "designed with the Best Practice Educators."),
            (D(2016, 9, 28), "green", "delivered",
             "Lunchtime training and Action Learning Sets running in each area. All newly qualified social "
             "workers in their ASYE are booked onto Analysis into Assessment training.", EDUCATOR),
            (D(2016, 12, 7), "green", "delivered",
             "100% of newly qualified social workers in the current ASYE cohort have completed Analysis into "
             "Assessment training. Action Learning Sets are meeting monthly in all three areas."),
            (D(2017, 2, 8), "blue", "outcome_evidenced",
             "Thematic audit of assessments shows analysis rated good in 72% of assessments by staff who "
             "attended, against 48% before the training; children's views are recorded in the plan in most "
             "cases audited. Complete, with evidence of impact."),
        ],
        "evidence": [
            (D(2016, 12, 7), "data", "Analysis into Assessment training completion for the ASYE cohort",
             f"{INTRANET}/csc/learning/aia-completion"),
            (D(2017, 2, 8), "link", "Thematic audit of analysis in assessments",
             f"{INTRANET}/csc/quality-assurance/thematic-audit-analysis"),
        ],
        "sign_offs": [
            ("delivered", MANAGER, D(2016, 10, 5), "Training and Action Learning Sets in place in every area."),
            ("outcome_evidenced", DIRECTOR, D(2017, 2, 15), "Audit shows better analysis in assessments."),
        ],
    },
    {
        "reference": "2.2.1",
        "section": "2.2",
        "description": "CSC to provide external training for all managers who chair strategy meetings.",
        "outcome": "Strategy meetings lead to SMART action plans and hold agencies to account for their contributions.",
        "success_measure": "Training delivered to 100% managers who undertake strategy meetings.",
        "due_text": "11/2016",
        "due": (2016, 11),
        "lead": PSW,
        "partners": ["TVP", "OHFT", "OUH"],
        "updates": [
            (D(2016, 8, 31), "green", "in_progress",
             "External trainer commissioned to train all managers who chair strategy meetings, covering "
             "chairing, SMART action plans and holding agencies to account for their contributions."),
            (D(2016, 10, 5), "green", "in_progress",
             "First two cohorts trained (26 managers). Thames Valley Police and health safeguarding leads "
             "invited to the final session so that partners share the same expectations."),
            (D(2016, 11, 23), "green", "delivered",
             "Training delivered to 100% of managers who chair strategy meetings (41 managers). New chairs "
             "will attend as part of their induction."),
            (D(2017, 3, 15), "green", "delivered",
             "The audit of strategy meetings (2.2.2) will test whether the training has led to SMART action "
             "plans; the outcome will be evidenced from that audit."),
        ],
        "evidence": [
            (D(2016, 11, 23), "data", "Strategy meeting chairing training: attendance record",
             f"{INTRANET}/csc/learning/strategy-chairs-attendance"),
        ],
        "sign_offs": [("delivered", MANAGER, D(2016, 11, 30), "All chairs trained.")],
    },
    {
        "reference": "2.2.2",
        "section": "2.2",
        "description": "Audit of strategy meetings focusing on recording, action planning, interventions and timeliness.",
        "outcome": "Improved quality, recording, timeliness of strategy meetings.",
        "success_measure": "Audit work of strategy meetings evidences improved recording, action planning, interventions and timeliness in 90% of cases.",
        "due_text": "01/2017",
        "due": (2017, 1),
        "lead": IRO,
        "lead_text": "Independent Reviewing Officers",
        "partners": ["TVP"],
        "updates": [
            (D(2016, 9, 21), "green", "in_progress",
             "Audit tool agreed covering recording, action planning, interventions and timeliness of strategy "
             "meetings. Independent Reviewing Officers will audit a sample of 30 strategy meetings each quarter."),
            (D(2016, 11, 30), "amber", "in_progress",
             "First sample audited: recording and action planning met the standard in 45% of strategy "
             "meetings and timeliness in 61%. This is the baseline for the 90% target.", SAMUEL),
            (D(2017, 1, 11), "amber", "in_progress",
             "The rise in children subject to child protection plans has taken IRO capacity and the second "
             "sample is not complete. Revised date requested."),
            (D(2017, 2, 22), "amber", "in_progress",
             "Revised date agreed. Second sample audited: 58% of strategy meetings met the standard. "
             "Improvement follows the chairing training (2.2.1) and the new FWi form (2.2.3)."),
            (D(2017, 4, 26), "red", "in_progress",
             "Overdue against the revised date. Third sample: 71% of strategy meetings met the standard, still "
             "short of 90%. The common gap is police and health actions recorded without named individuals "
             "or timescales.", SAMUEL),
            (D(2017, 6, 7), "red", "in_progress",
             "Findings shared with Thames Valley Police and health partners through the MASH Steering Group; "
             "a joint briefing for strategy meeting attendees is planned. The audit continues quarterly."),
            (D(2017, 7, 12), "red", "in_progress",
             "Fourth sample audited: 74% of strategy meetings met the standard. The joint briefing for police "
             "and health attendees has been delivered. A further revised date will be requested.", SAMUEL),
        ],
        "revisions": [
            (D(2017, 1, 11), (2017, 4),
             "Revised due to need for additional resource: IRO capacity has been taken by the rise in "
             "children subject to child protection plans.", D(2017, 1, 25)),
        ],
    },
    {
        "reference": "2.2.3",
        "section": "2.2",
        "description": "FWi database to prompt SMART Action Planning for strategy meetings.",
        "outcome": "New FWi form in place.",
        "success_measure": "See above.",
        "due_text": "07/2016",
        "due": (2016, 7),
        "lead": PSW,
        "updates": [
            (D(2016, 8, 24), "amber", "in_progress",
             "Specification for the strategy meeting form agreed with the FWi team: the form will prompt for "
             "SMART actions with a named person and timescale for each. Build slipped behind the due date."),
            (D(2016, 9, 28), "green", "delivered",
             "New FWi strategy meeting form live. Guidance issued to all managers and built into the chairing "
             "training (2.2.1)."),
            (D(2017, 1, 11), "green", "delivered",
             "An FWi report now lists strategy meeting actions without a named person or timescale; team "
             "managers use it in supervision."),
        ],
        "sign_offs": [("delivered", MANAGER, D(2016, 10, 5), "Form live on FWi.")],
    },
    {
        "reference": "2.2.4",
        "section": "2.2",
        "description": "Definitions of CSC processes issued to schools and community partners.",
        "outcome": "Clear guidance in place.",
        "success_measure": "CSC processes understood and confirmed through survey in 1.",
        "due_text": "07/2016",
        "due": (2016, 7),
        "lead": PSW,
        "partners": SCHOOLS + ["Oxford City"],
        "updates": [
            (D(2016, 8, 24), "green", "delivered",
             "Definitions of CSC processes (contact, referral, strategy meeting, assessment, child in need and "
             "child protection) issued to schools and community partners through the OSCB e-bulletin and the "
             "designated safeguarding lead network."),
            (D(2016, 11, 9), "green", "delivered",
             "Definitions updated for the new Locality and Community Support Service and reissued. "
             "Understanding will be confirmed through the survey in 1 (1.9)."),
        ],
        "sign_offs": [("delivered", MANAGER, D(2016, 9, 1), "Guidance issued.")],
    },
    {
        "reference": "2.2.5",
        "section": "2.2",
        "description": "Effective Recording Working Group set up to review minimum standards of recording including timeliness and form part of training in 2.1.",
        "outcome": "Records are holistic and include information from partners leading to improved decision making and planning for children.",
        "success_measure": "Working Group established and guidance issued and part of training in 2.1 Audit in 2.3 will demonstrate improvements.",
        "due_text": "09/2016",
        "due": (2016, 9),
        "lead": PSW,
        "updates": [
            (D(2016, 8, 31), "green", "in_progress",
             "Effective Recording Working Group set up with practitioners and managers from each area and a "
             "partner representative from Oxford Health."),
            (D(2016, 9, 28), "green", "in_progress",
             "Minimum standards of recording agreed, including timeliness, recording the child's views and "
             "experiences, and recording information from partners."),
            (D(2016, 10, 26), "green", "delivered",
             "Recording guidance issued to all social work staff and managers and built into the Analysis into "
             "Assessment training (2.1). The audits in 2.3 will show whether records improve."),
            (D(2017, 4, 5), "green", "delivered",
             "Case audits (2.3) show the child's views recorded in 74% of cases, up from 52%; recording of "
             "information from partners remains the weakest area."),
        ],
        "sign_offs": [("delivered", MANAGER, D(2016, 11, 2), "Group established and guidance issued.")],
    },
    {
        "reference": "2.2.6",
        "section": "2.2",
        "description": "'In the Loop' Briefing to social workers includes all learning from section 2.",
        "outcome": "All social work staff aware of the findings of the inspection and aware of planned changes.",
        "success_measure": "Team managers to discuss in team meetings in 100% teams so all social work staff are aware of the findings and improve practice.",
        "due_text": "07/2016",
        "due": (2016, 7),
        "lead": PSW,
        "updates": [
            (D(2016, 8, 22), "green", "delivered",
             "The learning from the inspection has been disseminated across all social work teams through "
             "the 'In the Loop' newsletter, with the findings and the planned changes."),
            (D(2016, 9, 21), "green", "delivered",
             "Team managers have discussed the briefing in team meetings; record sheets returned from 38 of "
             "41 teams."),
            (D(2016, 10, 19), "blue", "outcome_evidenced",
             "Record sheets returned from 100% of teams. Learning from section 2 is now a standing item in "
             "team meetings. Complete, with evidence."),
        ],
        "evidence": [
            (D(2016, 8, 22), "link", "'In the Loop' briefing: learning from the Joint Targeted Area Inspection",
             f"{INTRANET}/csc/in-the-loop/jtai-learning"),
            (D(2016, 10, 19), "minutes", "Team meeting record sheets from all 41 teams",
             f"{INTRANET}/csc/in-the-loop/team-record-sheets"),
        ],
        "sign_offs": [
            ("delivered", MANAGER, D(2016, 8, 31), "Briefing sent to all social work staff."),
            ("outcome_evidenced", DIRECTOR, D(2016, 10, 26), "Record sheets from every team."),
        ],
    },
    {
        "reference": "2.3.1",
        "section": "2.3",
        "description": "Develop 'Aspiring Seniors and Aspiring Managers' programme.",
        "outcome": "Academy up and running and Aspiring Managers programme in place and linked to OSCB.",
        "success_measure": "70% managers registered and demonstrate skills in 80% of domains.",
        "due_text": "11/2016",
        "due": (2016, 11),
        "lead": PSW,
        "updates": [
            (D(2016, 9, 7), "green", "in_progress",
             "The county council's Business Development Team is providing project management oversight for "
             "the development of the Academy. Scoping of the 'Aspiring Seniors and Aspiring Managers' "
             "programme under way."),
            (D(2016, 10, 19), "amber", "in_progress",
             "The Academy project manager will not be in post for another two months. Revised date requested."),
            (D(2016, 12, 7), "amber", "in_progress",
             "Programme outline shared with the OSCB training team so that the Aspiring Managers programme "
             "links to the multi-agency training offer."),
            (D(2017, 1, 18), "amber", "in_progress",
             "Academy project manager in post. Programme content agreed and linked to the OSCB training offer; "
             "the first cohort is being recruited."),
            (D(2017, 3, 1), "amber", "in_progress",
             "Launch of the Academy to be aligned with the national Knowledge and Skills Statement "
             "accreditation timetable (2.3.2). Second revised date requested."),
            (D(2017, 4, 26), "amber", "in_progress",
             "First cohort of 18 aspiring seniors and managers started. 44% of managers registered with the "
             "Academy against the 70% target."),
            (D(2017, 5, 24), "amber", "in_progress",
             "Second cohort recruited. 51% of managers registered with the Academy."),
            (D(2017, 6, 28), "amber", "in_progress",
             "Registration at 58% of managers. On track for the revised date; assessment of skills against "
             "the domains to follow."),
        ],
        "revisions": [
            (D(2016, 10, 19), (2017, 3),
             "Revised due to need for additional resource: project management for the Academy from the "
             "Business Development Team is not available for two months.", D(2016, 11, 2)),
            (D(2017, 3, 1), (2017, 9),
             "Revised to align the Academy launch with the national Knowledge and Skills Statement "
             "accreditation timetable.", D(2017, 3, 15)),
        ],
    },
    {
        "reference": "2.3.2",
        "section": "2.3",
        "description": "Knowledge and Skills Statement in place for all supervisors as part of the Academy development for social workers.",
        "outcome": "Knowledge and Skills Statement in place and linked to OSCB.",
        "success_measure": "70% managers registered and demonstrate skills in 80% of domains.",
        "due_text": "06/2017",
        "due": (2017, 6),
        "lead": PSW,
        "updates": [
            (D(2016, 10, 12), "green", "in_progress",
             "Knowledge and Skills Statement for practice supervisors mapped to the Academy programme and to "
             "the OSCB training offer."),
            (D(2017, 1, 25), "green", "in_progress",
             "All supervisors asked to complete a self-assessment against the Knowledge and Skills Statement; "
             "61% returned so far."),
            (D(2017, 4, 12), "amber", "in_progress",
             "National accreditation for practice supervisors has been delayed; the local self-assessment "
             "continues. The due date is at risk."),
        ],
    },
    {
        "reference": "2.3.3",
        "section": "2.3",
        "description": "Supervision observations and audits undertaken to ensure high standards of practice and minimise drift.",
        "outcome": "Supervision practice and management oversight meet required standards.",
        "success_measure": "Supervision taking place every 4-6 weeks for 100% practitioners.\nRequired standards met in 100% of bi-annual supervision observations and audits.",
        "due_text": "07/2016",
        "due": (2016, 7),
        "lead": AREA_MANAGER,
        "lead_text": "CSC Area Managers",
        "updates": [
            (D(2016, 8, 31), "amber", "in_progress",
             "Quality assurance audits of supervision with follow through on actions identified are scheduled "
             "in all three areas. Baseline: supervision every 4-6 weeks for 71% of practitioners."),
            (D(2016, 9, 28), "amber", "in_progress",
             "Supervision observation schedule agreed: each team manager is observed twice a year by their "
             "area manager."),
            (D(2016, 10, 26), "amber", "in_progress",
             "First round of supervision observations completed; 64% met the required standard. Feedback "
             "given to each supervisor.", RUTH),
            (D(2016, 12, 14), "red", "in_progress",
             "Supervision every 4-6 weeks for 78% of practitioners. High caseloads in the assessment teams are "
             "squeezing supervision (see 3.1).", EMMA),
            (D(2017, 1, 18), "red", "in_progress",
             "Supervision every 4-6 weeks for 80% of practitioners. Agency social workers in the assessment "
             "teams are the group least often supervised on time.", RUTH),
            (D(2017, 2, 15), "red", "in_progress",
             "Bi-annual supervision audit: required standard met in 72% of supervision records. The new "
             "templates (2.3.5) are in use."),
            (D(2017, 3, 22), "red", "in_progress",
             "Supervision compliance now reported monthly by team to the CSC Leadership Team. 82% of "
             "practitioners supervised every 4-6 weeks."),
            (D(2017, 4, 19), "red", "in_progress",
             "Supervision every 4-6 weeks for 84% of practitioners. Area managers now review supervision "
             "compliance monthly with each team manager.", RUTH),
            (D(2017, 5, 24), "red", "in_progress",
             "Observations show challenge and management oversight recorded in more supervision sessions; "
             "drift identified in supervision is now tracked to resolution.", EMMA),
            (D(2017, 6, 21), "red", "in_progress",
             "Second round of observations: 81% met the required standard. The 100% target will not be met "
             "until caseloads in the assessment teams reduce.", EMMA),
            (D(2017, 7, 12), "red", "in_progress",
             "Supervision every 4-6 weeks for 86% of practitioners. The area managers will propose a revised "
             "date linked to the reduction in caseloads (3.1)."),
        ],
    },
    {
        "reference": "2.3.4",
        "section": "2.3",
        "description": "20 case audits undertaken focusing on assessments, analysis, action planning, timeliness and engagement of children in place, recording and management oversight and challenge.",
        "outcome": "Required standard known and auditable.",
        "success_measure": "Annual audit for all domains meet required standard in 75% of cases",
        "due_text": "11/2016",
        "due": (2016, 11),
        "lead": AREA_MANAGER,
        "lead_text": "CSC Area Managers",
        # Answers the findings of 2.1 and 2.2 too: both point here ("See 2.3 for audit work").
        "also_answers": ["2.1", "2.2"],
        "updates": [
            (D(2016, 9, 14), "green", "in_progress",
             "Audit tool agreed covering assessments, analysis, action planning, timeliness, engagement of "
             "children, recording and management oversight and challenge. 20 cases selected across the "
             "three areas."),
            (D(2016, 10, 19), "green", "in_progress",
             "Audits of 12 of the 20 cases completed, with the practitioner present for each audit.", RUTH),
            (D(2016, 11, 30), "green", "delivered",
             "All 20 case audits completed. The required standard was met across all domains in 60% of cases; "
             "management oversight and challenge was the weakest domain. Findings reported to the CSC "
             "Leadership Team and shared through 'In the Loop'."),
            (D(2017, 5, 31), "green", "delivered",
             "Annual re-audit of 20 cases: 68% met the required standard across all domains against the 75% "
             "target. Delivered; the outcome is not yet evidenced and the audit will be repeated.", EMMA),
        ],
        "evidence": [
            (D(2016, 11, 30), "audit", "Audit of 20 cases: assessments, recording and management oversight",
             f"{INTRANET}/csc/quality-assurance/20-case-audit"),
        ],
        "sign_offs": [("delivered", MANAGER, D(2016, 12, 7), "20 audits completed and reported.")],
    },
    {
        "reference": "2.3.5",
        "section": "2.3",
        "description": "Supervision and supervision observation templates revised.",
        "outcome": "Consistent standard of supervision to new standard.",
        "success_measure": "New templates in place.",
        "due_text": "09/2016",
        "due": (2016, 9),
        "lead": PSW,
        "updates": [
            (D(2016, 8, 31), "green", "in_progress",
             "Supervision and supervision observation templates redrafted with team managers, with sections "
             "for challenge, drift and delay, and progress of the child's plan."),
            (D(2016, 9, 21), "green", "delivered", "New templates in place on FWi and in use in all teams."),
            (D(2017, 1, 11), "blue", "outcome_evidenced",
             "Supervision audit shows the new templates used in 96% of supervision records, to a consistent "
             "standard across the three areas. Complete, with evidence."),
        ],
        "evidence": [
            (D(2016, 9, 21), "link", "Revised supervision and supervision observation templates",
             f"{INTRANET}/csc/practice/supervision-templates"),
        ],
        "sign_offs": [
            ("delivered", MANAGER, D(2016, 9, 28), "Templates live on FWi."),
            ("outcome_evidenced", DIRECTOR, D(2017, 1, 18), "Audit shows consistent use."),
        ],
    },
    {
        "reference": "3.1.1",
        "section": "3.1",
        "description": "CSC to remodel early intervention provision and develop an integrated model with CSC including the development of integrated Family Support Teams and Locality and Community Support Teams.",
        "outcome": "Resources are targeted at the most vulnerable children.\nIntegrated model of early intervention and CSC in place.\nClear caseload management and reporting to ensure CSC work cases effectively, monitored by senior managers.\nCaseloads reduced for assessment teams.",
        "success_measure": "Caseload monitoring demonstrates caseloads for assessment teams are meeting local standards as part of service remodeling.",
        "due_text": "02/2017",
        "due": (2017, 2),
        "lead": DD_CSC,
        "updates": [
            (D(2016, 9, 7), "green", "in_progress",
             "Proposals to remodel early intervention provision and develop an integrated model with "
             "Children's Social Care are out for consultation, following the Cabinet paper on Future "
             "Arrangements for Children's Social Care."),
            (D(2016, 10, 12), "green", "in_progress",
             "Consultation responses being analysed. Caseload monitoring report for the assessment teams now "
             "produced for senior managers: average caseload 27 against a local standard of 18."),
            (D(2016, 11, 9), "green", "in_progress",
             "Consultation closed. Integrated Family Support Teams and the Locality and Community Support "
             "Service agreed; staff consultation complete."),
            (D(2016, 12, 14), "green", "in_progress",
             "Implementation plan for the integrated Family Support Teams agreed. Additional agency social "
             "workers commissioned for the assessment teams in the interim."),
            (D(2017, 1, 18), "amber", "in_progress",
             "Implementation is phased: Family Support Teams will go live area by area. Average caseload in "
             "the assessment teams is 26 against the local standard of 18. Revised date requested to reflect "
             "the phasing."),
            (D(2017, 2, 22), "amber", "in_progress",
             "Revised date agreed. Family Support Team live in the north area; caseloads in the assessment "
             "teams average 25."),
            (D(2017, 3, 22), "amber", "in_progress",
             "Locality and Community Support Service live. Family Support Teams live in the north and city "
             "areas. Assessment team caseloads average 24."),
            (D(2017, 4, 26), "amber", "in_progress",
             "Family Support Team for the south area recruited, going live next month. Caseloads average 23."),
            (D(2017, 5, 31), "amber", "in_progress",
             "Family Support Teams live in all areas. Assessment team caseloads average 22, still above the "
             "local standard; weekly caseload reports to senior managers are in place."),
            (D(2017, 6, 21), "amber", "in_progress",
             "Two of the five assessment teams now meet the local caseload standard; the average across all "
             "teams is 22."),
            (D(2017, 7, 12), "amber", "in_progress",
             "Caseloads average 21. Increased demand continues (see 1.1); the Executive Group has asked for a "
             "caseload forecast before the revised due date."),
        ],
        "revisions": [
            (D(2017, 1, 18), (2017, 9),
             "Revised to reflect the phased go-live of the integrated Family Support Teams, area by area.",
             D(2017, 2, 1)),
        ],
    },
    {
        "reference": "3.2.1",
        "section": "3.2",
        "description": "OSCB to review its multi-agency dataset and set targets against key priority measures.",
        "outcome": "OSCB identifies key concerns across the safeguarding system early and is able to instigate appropriate action to be taken.",
        "success_measure": "New dataset in place and targets effectively monitored and escalated as appropriate and benchmarked against statistical neighbours where possible.",
        "due_text": "07/2016",
        "due": (2016, 7),
        "lead": PAQA_CHAIR,
        "partners": ["TVP", "OCCG", "OUH", "OHFT", "NPS", "CRC", "YJS"],
        "updates": [
            (D(2016, 8, 24), "amber", "in_progress",
             "Review of the OSCB multi-agency dataset under way with all partners. Key priority measures "
             "proposed, including timeliness of MASH response, referrals leading to no further action and "
             "return home interviews."),
            (D(2016, 9, 28), "green", "delivered",
             "New dataset agreed by the OSCB with baselines and targets for each key priority measure, "
             "benchmarked against statistical neighbours where possible."),
            (D(2016, 12, 14), "green", "delivered",
             "First quarterly performance report against the new dataset presented to the OSCB, with "
             "exceptions escalated to the Executive Group."),
            (D(2017, 3, 15), "blue", "outcome_evidenced",
             "The second quarterly report enabled the OSCB to identify the rise in MASH demand early and to "
             "instigate the demand analysis (1.1). Targets are monitored and escalated. Complete, with "
             "evidence of impact."),
        ],
        "evidence": [
            (D(2016, 9, 28), "link", "OSCB multi-agency dataset: measures, baselines and targets",
             f"{OSCB_SITE}/about/performance/dataset"),
            (D(2017, 3, 15), "minutes", "OSCB minutes: quarterly performance report and escalation",
             f"{OSCB_SITE}/board/minutes/performance-report"),
        ],
        "sign_offs": [
            ("delivered", MANAGER, D(2016, 10, 5), "Dataset agreed with targets."),
            ("outcome_evidenced", DIRECTOR, D(2017, 3, 22), "Dataset used to act early on MASH demand."),
        ],
    },
]

# The plan's two "See 2.3 for audit work and observations." rows are links, not actions:
# (from the action above the row, to the audit action in 2.3, the row's text).
ACTION_LINKS = [
    ("2.1.2", "2.3.4", "See 2.3 for audit work and observations."),
    ("2.2.5", "2.3.4", "See 2.3 for audit work and observations."),
]

# --- Measures --------------------------------------------------------------------------
# Figures are illustrative except the 75% NFA baseline the inspectors reported.
# ``values`` are the quarters after the plan went live, oldest first.
MEASURES = [
    {
        "name": "Timeliness of MASH response to referrals within 24 hours",
        "action": "1.1", "unit": "percent", "direction": "up",
        "baseline_value": "62", "baseline_date": D(2016, 3, 31),
        "target_value": "90", "target_date": D(2017, 8, 31),
        "england_average": "81", "statistical_neighbours": "84",
        "source": "MASH performance report",
        "values": ["68", "74", "79", "83"],
    },
    {
        "name": "Referrals leading to NFA or stepped down to early help",
        "action": "1.7", "unit": "percent", "direction": "down",
        "baseline_value": "75", "baseline_date": D(2016, 3, 31),
        "target_value": "50", "target_date": D(2017, 8, 31),
        "england_average": "", "statistical_neighbours": "",
        "source": "CSC performance dataset",
        "values": ["71", "66", "61", "57"],
    },
    {
        "name": "Return home interviews within 72 hours",
        "action": None, "unit": "percent", "direction": "up",
        "baseline_value": "58", "baseline_date": D(2016, 3, 31),
        "target_value": "85", "target_date": D(2017, 8, 31),
        "england_average": "", "statistical_neighbours": "66",
        "source": "Missing Children Panel",
        "values": ["63", "70", "74", "78"],
    },
    {
        "name": "Strategy meetings meeting the recording and action planning standard",
        "action": "2.2.2", "unit": "percent", "direction": "up",
        "baseline_value": "45", "baseline_date": D(2016, 11, 30),
        "target_value": "90", "target_date": D(2017, 4, 30),
        "england_average": "", "statistical_neighbours": "",
        "source": "IRO audit of strategy meetings",
        "values": ["45", "58", "71", "74"],
    },
    {
        "name": "Average caseload in Children and Families Assessment Teams",
        "action": "3.1.1", "unit": "count", "direction": "down",
        "baseline_value": "27", "baseline_date": D(2016, 3, 31),
        "target_value": "18", "target_date": D(2017, 9, 30),
        "england_average": "", "statistical_neighbours": "",
        "source": "CSC caseload report",
        "values": ["26", "24", "22", "21"],
    },
]

# --- Glossary --------------------------------------------------------------------------
# The plan's own glossary, and the other acronyms its text uses.
GLOSSARY = [
    ("AiA", "Analysis into Assessment"),
    ("ASYE", "Assessed and Supported Year of Employment for newly qualified social workers"),
    ("CCG", "Clinical Commissioning Group"),
    ("CRC", "Community Rehabilitation Company"),
    ("CSC", "Children's Social Care"),
    ("CSE", "Child Sexual Exploitation"),
    ("FWi", "Frameworki, CSC database"),
    ("IRO", "Independent Reviewing Officer"),
    ("JTAI", "Joint Targeted Area Inspection"),
    ("LSCB", "Local Safeguarding Children Board"),
    ("MASH", "Multi-Agency Safeguarding Hub"),
    ("NFA", "No Further Action"),
    ("NPS", "National Probation Service"),
    ("OSCB", "Oxfordshire Safeguarding Children Board"),
    ("SMART", "Action Plans that are Specific, Measurable, Attainable, Relevant, Time-Bound"),
    ("TON", "Threshold of Needs (TON Matrix: Threshold of Needs Matrix)"),
    ("TVP", "Thames Valley Police"),
    ("WSoA", "Written Statement of Action"),
]

# --- Meeting agenda titles -------------------------------------------------------------
# The meetings that receive the plan's progress reports, so that the demo has papers
# worth producing: the Cabinet and scrutiny meetings a year on (the scrutiny meeting is
# the Performance Scrutiny Committee of 5 October 2017), and the Executive Group's
# monthly monitoring once the plan is live.
SIGN_OFF_MEETING_TITLE = "Written Statement of Action for sign-off"
PROGRESS_MEETING_TITLES = {
    ("Oxfordshire County Council Cabinet", (2017, 9)): "JTAI action plan: one-year progress report",
    ("Performance Scrutiny Committee", (2017, 10)): "Safeguarding children in Oxfordshire: JTAI action plan progress",
}
MONITORING_MEETING_TITLE = "Monthly monitoring of the JTAI action plan"
