"""French wording of demo services: names per thématique, description sentences, précisions.

Every thématique of the schema has at least one service name; a name may set its fees
(« Location de scooter à 1 €/jour » is paid). Values are the schema's enum values.
"""

from typing import NamedTuple


class ServiceTemplate(NamedTuple):
    nom: str
    type: str
    frais: str | None = None  # None: drawn from the usual mix, mostly free
    frais_precisions: str | None = None


T = ServiceTemplate
ACC, FIN, MAT, ATE, FOR, INF = (
    "accompagnement",
    "aide-financiere",
    "aide-materielle",
    "atelier",
    "formation",
    "information",
)

SERVICES = {
    "choisir-un-metier--confirmer-son-choix-de-metier": (
        T("Période de mise en situation en milieu professionnel (PMSMP)", ACC),
        T("Immersion professionnelle en entreprise", ACC),
        T("Atelier « Valider mon projet professionnel »", ATE),
    ),
    "choisir-un-metier--connaitre-les-opportunites-demploi": (
        T("Information sur les métiers qui recrutent", INF),
        T("Forum de l'emploi et des métiers", INF),
        T("Atelier « Les métiers porteurs de mon territoire »", ATE),
    ),
    "choisir-un-metier--decouvrir-un-metier-ou-un-secteur-dactivite": (
        T("Découverte des métiers du bâtiment", ATE),
        T("Visites d'entreprises", INF),
        T("Stage de découverte des métiers du soin et de l'aide à la personne", FOR),
        T("Découverte des métiers de la logistique", ATE),
    ),
    "choisir-un-metier--identifier-ses-points-forts-et-ses-competences": (
        T("Bilan de compétences", ACC),
        T("Atelier « Mes atouts et mes compétences »", ATE),
        T("Accompagnement à l'orientation professionnelle", ACC),
        T("Conseil en évolution professionnelle (CEP)", ACC),
    ),
    "creer-une-entreprise--definir-son-projet-de-creation-dentreprise": (
        T("Réunion d'information « Créer son entreprise »", INF),
        T("Atelier « De l'idée au projet »", ATE),
        T("Accompagnement à l'émergence de projet", ACC),
    ),
    "creer-une-entreprise--developper-son-entreprise": (
        T("Suivi post-création des jeunes entreprises", ACC),
        T("Microcrédit professionnel", FIN, "payant", "Taux fixe, remboursement sur 48 mois maximum"),
        T("Prêt d'honneur à taux zéro", FIN),
    ),
    "creer-une-entreprise--structurer-son-projet-de-creation-dentreprise": (
        T("Accompagnement au business plan", ACC),
        T("Formation « Entreprendre »", FOR),
        T("Couveuse : tester son activité en toute sécurité", ACC),
    ),
    "difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives": (
        T("Aide aux démarches administratives", ACC),
        T("Permanence écrivain public", ACC),
        T("Accompagnement aux démarches en ligne (CAF, impôts, ANTS)", ACC),
        T("Domiciliation administrative", ACC),
    ),
    "difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-a-la-citoyennete": (
        T("Préparation à l'entretien de naturalisation", ATE),
        T("Aide à l'inscription sur les listes électorales", INF),
        T("Atelier citoyenneté et valeurs de la République", ATE),
    ),
    "difficultes-administratives-ou-juridiques--accompagnement-pour-lacces-aux-droits": (
        T("Permanence d'accès aux droits", INF),
        T("Ouverture des droits sociaux (RSA, CSS, prime d'activité)", ACC),
        T("Rendez-vous des droits", INF),
        T("Permanence juridique gratuite", INF),
    ),
    "difficultes-administratives-ou-juridiques--beneficier-dune-mesure-daccompagnement-adapte": (
        T("Mesure d'accompagnement social personnalisé (MASP)", ACC),
        T("Accompagnement social global", ACC),
        T("Référent de parcours RSA", ACC),
    ),
    "difficultes-administratives-ou-juridiques--connaitre-ses-droits-face-a-une-discrimination": (
        T("Permanence du Défenseur des droits", INF),
        T("Écoute et accompagnement des victimes de discrimination", ACC),
    ),
    "difficultes-administratives-ou-juridiques--prendre-en-compte-une-problematique-judiciaire": (
        T("Aide aux victimes d'infractions", ACC),
        T("Accompagnement des personnes placées sous main de justice", ACC),
        T("Consultation gratuite d'avocat", INF),
    ),
    "difficultes-financieres--acquerir-une-autonomie-budgetaire": (
        T("Atelier budget « Bien gérer son argent »", ATE),
        T("Accompagnement budgétaire individuel", ACC),
    ),
    "difficultes-financieres--ameliorer-sa-gestion-budgetaire": (
        T("Point conseil budget", ACC),
        T("Atelier « Économies d'énergie et factures »", ATE),
    ),
    "difficultes-financieres--mettre-en-place-une-mesure-de-protection-financiere": (
        T("Information sur les mesures de protection (tutelle, curatelle)", INF),
        T("Soutien aux tuteurs familiaux", ACC),
    ),
    "difficultes-financieres--prevenir-une-degradation-de-la-situation-financiere": (
        T("Aide financière d'urgence", FIN),
        T("Secours exceptionnel", FIN),
        T("Microcrédit personnel", FIN, "payant", "Prêt de 300 à 5 000 €, à taux réduit"),
        T("Aide au paiement des factures d'énergie", FIN),
    ),
    "difficultes-financieres--situation-dendettement-surendettement": (
        T("Aide au dépôt d'un dossier de surendettement", ACC),
        T("Accompagnement des personnes surendettées", ACC),
    ),
    "equipement-et-alimentation--aide-menagere": (
        T("Aide à domicile pour les tâches ménagères", MAT, "payant", "Tarif horaire selon les ressources"),
        T("Service d'aide ménagère à domicile", MAT),
    ),
    "equipement-et-alimentation--alimentation": (
        T("Distribution de colis alimentaires", MAT),
        T("Épicerie solidaire", MAT, "payant", "Environ 10 à 30 % du prix habituel des produits"),
        T("Repas chauds et petits-déjeuners", MAT),
        T("Maraude alimentaire", MAT),
        T("Paniers de légumes solidaires", MAT, "payant", "2 € le panier"),
        T("Atelier cuisine petit budget", ATE),
        T("Aide alimentaire d'urgence", MAT),
    ),
    "equipement-et-alimentation--electromenager": (
        T("Électroménager reconditionné à petit prix", MAT, "payant", "Appareils garantis six mois"),
        T("Aide à l'équipement du logement", FIN),
        T("Dons de meubles et d'électroménager", MAT),
    ),
    "equipement-et-alimentation--habillement": (
        T("Vestiaire solidaire", MAT),
        T("Vestiboutique : vêtements à petit prix", MAT, "payant", "De 0,50 € à 5 € la pièce"),
        T("Tenue pour l'entretien d'embauche", MAT),
    ),
    "famille--garde-denfants": (
        T("Garde d'enfants en horaires décalés", MAT, "payant", "Tarif selon le quotient familial"),
        T("Places en crèche pour parents en recherche d'emploi", MAT, "payant", "Barème national de la CAF"),
        T("Accueil occasionnel des 0-3 ans", MAT),
        T("Information sur les modes de garde", INF),
    ),
    "famille--prise-en-charge-personne-dependante": (
        T("Portage de repas à domicile", MAT, "payant", "De 6 à 11 € le repas selon les revenus"),
        T("Accueil de jour pour personnes âgées", ACC),
        T("Information sur l'allocation personnalisée d'autonomie (APA)", INF),
    ),
    "famille--soutien-a-la-parentalite-et-a-leducation": (
        T("Lieu d'accueil enfants-parents (LAEP)", ACC),
        T("Café des parents", ATE),
        T("Accompagnement à la scolarité", ACC),
        T("Médiation familiale", ACC, "payant", "Participation selon les revenus, à partir de 2 € la séance"),
    ),
    "famille--soutien-aidants": (
        T("Café des aidants", ATE),
        T("Solutions de répit pour les aidants", ACC),
        T("Formation des proches aidants", FOR),
        T("Soutien psychologique des aidants", ACC),
    ),
    "famille--surmonter-conflits-separation-violence": (
        T("Accueil et écoute des femmes victimes de violences", ACC),
        T("Médiation familiale en cas de séparation", ACC),
        T("Mise à l'abri des victimes de violences conjugales", MAT),
    ),
    "lecture-ecriture-calcul--maitriser-le-calcul": (
        T("Remise à niveau en mathématiques", FOR),
        T("Compter au quotidien : atelier calcul", ATE),
    ),
    "lecture-ecriture-calcul--maitriser-le-francais": (
        T("Cours de français langue étrangère (FLE)", FOR),
        T("Atelier sociolinguistique (ASL)", ATE),
        T("Savoirs de base : lire et écrire au quotidien", FOR),
        T("Conversation en français", ATE),
        T("Alphabétisation pour adultes", FOR),
    ),
    "logement-hebergement--acheter-un-logement": (
        T("Information sur l'accession sociale à la propriété", INF),
        T("Conseil avant achat immobilier", INF),
    ),
    "logement-hebergement--changer-de-logement": (
        T("Aide à la mobilité résidentielle des salariés", ACC),
        T("Échange de logement social", INF),
    ),
    "logement-hebergement--louer-un-logement": (
        T("Garantie Visale", FIN),
        T("Avance Loca-Pass", FIN),
        T("Aide à la recherche de logement", ACC),
        T("Dépôt de la demande de logement social", ACC),
    ),
    "logement-hebergement--rechercher-une-solution-dhebergement-temporaire": (
        T("Hébergement d'urgence", MAT),
        T("Orientation vers le 115 et le SIAO", INF),
        T("Logement temporaire pour jeunes en mobilité", MAT, "payant", "Redevance mensuelle, APL déductible"),
        T("Accueil de jour pour personnes sans abri", ACC),
    ),
    "logement-hebergement--reduire-les-impayes-de-loyer": (
        T("Prévention des expulsions locatives", ACC),
        T("Aide du Fonds de solidarité logement (FSL)", FIN),
    ),
    "logement-hebergement--se-maintenir-dans-le-logement": (
        T("Accompagnement social lié au logement (ASLL)", ACC),
        T("Aide à l'adaptation du logement", FIN),
        T("Visites de prévention de la précarité énergétique", ACC),
    ),
    "logement-hebergement--sinformer-sur-les-demarches-liees-a-lacces-au-logement": (
        T("Permanence logement", INF),
        T("Information sur les droits des locataires", INF),
        T("Atelier « Trouver un logement »", ATE),
    ),
    "mobilite--acceder-a-un-vehicule": (
        T("Location de scooter à 1 €/jour", MAT, "payant", "1 € par jour, casque et antivol fournis"),
        T("Location de voiture solidaire", MAT, "payant", "De 3 à 8 € par jour selon les ressources"),
        T("Prêt de vélo pour se rendre au travail", MAT),
        T("Microcrédit pour l'achat d'un véhicule", FIN, "payant", "Prêt remboursable sur 36 mois"),
    ),
    "mobilite--entretenir-reparer-son-vehicule": (
        T("Garage solidaire : réparations à prix réduit", MAT, "payant", "Main-d'œuvre à 15 € de l'heure"),
        T("Atelier de réparation de vélos", ATE),
    ),
    "mobilite--etre-accompagne-dans-son-parcours-mobilite": (
        T("Bilan de compétences mobilité", ACC),
        T("Conseil en mobilité", ACC),
        T("Atelier « Se repérer dans les transports »", ATE),
    ),
    "mobilite--financer-ma-mobilite": (
        T("Aide au financement du permis de conduire", FIN),
        T("Aide à la mobilité pour la reprise d'emploi", FIN),
        T("Bons de transport pour les entretiens d'embauche", FIN),
        T("Aide Mobili-Jeune", FIN),
    ),
    "mobilite--preparer-un-permis": (
        T("Aide au permis de conduire", FOR),
        T("Auto-école sociale : permis B", FOR, "payant", "Reste à charge de 300 € environ, paiement échelonné"),
        T("Préparation au code de la route", FOR),
        T("Permis AM (cyclomoteur)", FOR, "payant", "50 € la formation complète"),
    ),
    "mobilite--mobilite-douce-partagee-collective": (
        T("Transport à la demande solidaire", MAT, "payant", "2 € le trajet"),
        T("Apprendre à faire du vélo", ATE),
        T("Covoiturage solidaire", MAT),
    ),
    "numerique--acceder-a-des-services-en-ligne": (
        T("Accompagnement aux démarches en ligne", ACC),
        T("Aidants Connect : vos démarches en ligne faites avec vous", ACC),
        T("Créer son adresse e-mail et son compte FranceConnect", ATE),
    ),
    "numerique--acceder-a-une-connexion-internet": (
        T("Accès libre à Internet et à des ordinateurs", MAT),
        T("Wi-Fi gratuit et postes en libre-service", MAT),
        T("Recharge de téléphone et accès à Internet", MAT),
    ),
    "numerique--acquerir-un-equipement": (
        T("Ordinateurs reconditionnés à prix solidaire", MAT, "payant", "Ordinateur portable à partir de 80 €"),
        T("Forfaits téléphone et Internet solidaires", MAT, "payant", "Forfait mobile à 5 € par mois"),
        T("Prêt de tablette", MAT),
    ),
    "numerique--maitriser-les-fondamentaux-du-numerique": (
        T("Atelier découverte de l'ordinateur", ATE),
        T("Initiation au smartphone", ATE),
        T("Formation aux bases du numérique", FOR),
        T("Atelier « Se protéger sur Internet »", ATE),
    ),
    "preparer-sa-candidature--developper-son-reseau": (
        T("Parrainage vers l'emploi", ACC),
        T("Rencontres avec des entreprises du territoire", INF),
        T("Atelier LinkedIn et réseaux professionnels", ATE),
    ),
    "preparer-sa-candidature--organiser-ses-demarches-de-recherche-demploi": (
        T("Club de recherche d'emploi", ATE),
        T("Accompagnement intensif vers l'emploi", ACC),
        T("Atelier « Organiser sa recherche d'emploi »", ATE),
    ),
    "preparer-sa-candidature--realiser-un-cv-et-ou-une-lettre-de-motivation": (
        T("Atelier CV et lettre de motivation", ATE),
        T("Aide à la rédaction de CV", ACC),
        T("Photos de CV gratuites", MAT),
    ),
    "preparer-sa-candidature--valoriser-ses-competences": (
        T("Atelier « Valoriser ses compétences »", ATE),
        T("Validation des acquis de l'expérience (VAE)", ACC),
        T("Préparation aux entretiens de recrutement", ATE),
    ),
    "remobilisation--activites-sportives-et-culturelles": (
        T("Sorties culturelles à tarif solidaire", MAT, "payant", "Places à 1 € pour les spectacles partenaires"),
        T("Activités sportives adaptées", ATE),
        T("Pass culture et loisirs", FIN),
        T("Atelier théâtre", ATE),
    ),
    "remobilisation--benevolat-action-citoyenne": (
        T("Devenir bénévole", INF),
        T("Service civique", ACC),
        T("Jardin partagé", ATE),
    ),
    "remobilisation--bien-etre-confiance-en-soi": (
        T("Atelier estime de soi", ATE),
        T("Socio-esthétique et coiffure solidaire", MAT, "payant", "3 € la prestation"),
        T("Groupe de parole", ATE),
        T("Atelier sophrologie et gestion du stress", ATE),
    ),
    "remobilisation--lien-social": (
        T("Accueil convivial et café solidaire", ACC),
        T("Sorties et activités collectives", ATE),
        T("Visites à domicile contre l'isolement", ACC),
        T("Repas partagés", ATE, "payant", "Participation libre"),
    ),
    "sante--acces-aux-soins": (
        T("Permanence d'accès aux soins de santé (PASS)", ACC),
        T("Aide à l'ouverture des droits santé (CSS, AME)", ACC),
        T("Consultations médicales gratuites", ACC),
        T("Examen de prévention en santé", ACC),
    ),
    "sante--addictions": (
        T("Consultation jeunes consommateurs", ACC),
        T("Accompagnement en addictologie", ACC),
        T("Réduction des risques et matériel stérile", MAT),
    ),
    "sante--constituer-un-dossier-mdph-invalidite": (
        T("Aide à la constitution du dossier MDPH", ACC),
        T("Information sur la reconnaissance de travailleur handicapé (RQTH)", INF),
    ),
    "sante--sante-mentale": (
        T("Écoute psychologique gratuite", ACC),
        T("Groupe d'entraide mutuelle (GEM)", ATE),
        T("Consultation psychologique", ACC),
    ),
    "sante--sante-sexuelle": (
        T("Dépistage gratuit et anonyme", ACC),
        T("Consultations de santé sexuelle", ACC),
        T("Information contraception et prévention", INF),
    ),
    "se-former--monter-son-dossier-de-formation": (
        T("Aide au montage du dossier de financement de formation", ACC),
        T("Information sur le compte personnel de formation (CPF)", INF),
    ),
    "se-former--trouver-sa-formation": (
        T("Formation qualifiante aux métiers du bâtiment", FOR),
        T("Préparation aux concours d'entrée en formation", FOR),
        T("Formation aux métiers de l'aide à domicile", FOR),
        T("Information sur les formations financées", INF),
        T("Parcours de formation « Prépa compétences »", FOR),
    ),
    "souvrir-a-linternational--connaitre-les-opportunites-demploi-a-letranger": (
        T("Information sur la mobilité internationale", INF),
        T("Volontariat international et service civique à l'étranger", INF),
    ),
    "souvrir-a-linternational--sinformer-sur-les-aides-pour-travailler-a-letranger": (
        T("Aides financières pour un stage à l'étranger", FIN),
        T("Erasmus+ pour les jeunes en insertion", ACC),
    ),
    "souvrir-a-linternational--sorganiser-suite-a-son-retour-en-france": (
        T("Accompagnement au retour en France", ACC),
        T("Vos droits après un séjour à l'étranger", INF),
    ),
    "trouver-un-emploi--convaincre-un-recruteur-en-entretien": (
        T("Simulation d'entretien d'embauche", ATE),
        T("Atelier « Réussir son entretien »", ATE),
    ),
    "trouver-un-emploi--faire-des-candidatures-spontanees": (
        T("Atelier candidatures spontanées", ATE),
        T("Mise en relation avec des employeurs", ACC),
    ),
    "trouver-un-emploi--maintien-dans-lemploi": (
        T("Accompagnement au maintien dans l'emploi", ACC),
        T("Aide à l'adaptation du poste de travail", FIN),
        T("Suivi dans l'emploi après l'embauche", ACC),
    ),
    "trouver-un-emploi--repondre-a-des-offres-demploi": (
        T("Contrat à durée déterminée d'insertion (CDDI)", ACC),
        T("Offres d'emploi en insertion", INF),
        T("Missions de travail temporaire d'insertion", ACC),
        T("Job dating", INF),
        T("Méthode de recrutement par simulation (MRS)", ACC),
    ),
    "trouver-un-emploi--suivre-ses-candidatures-et-relancer-les-employeurs": (
        T("Suivi des candidatures avec un conseiller", ACC),
        T("Atelier « Relancer un employeur »", ATE),
    ),
}

# What a service of each catégorie does, a few sentences to draw from.
CATEGORY_SENTENCES = {
    "choisir-un-metier": (
        "Vous ne savez pas vers quel métier vous orienter ? Un conseiller vous aide à faire le point sur vos envies, "
        "vos contraintes et vos compétences.",
        "Des immersions en entreprise permettent de découvrir un métier concrètement avant de s'engager dans une "
        "formation.",
        "Nous présentons les métiers qui recrutent sur le territoire et les conditions pour y accéder.",
        "L'accompagnement s'appuie sur des tests d'intérêts professionnels, des enquêtes métiers et des rencontres "
        "avec des professionnels.",
        "À l'issue de l'accompagnement, vous repartez avec un projet professionnel validé et un plan d'action.",
    ),
    "creer-une-entreprise": (
        "Vous avez une idée d'entreprise ? Nous vous aidons à vérifier sa faisabilité et à construire votre projet "
        "étape par étape.",
        "Un conseiller vous accompagne dans l'étude de marché, le prévisionnel financier et le choix du statut.",
        "Des financements adaptés peuvent être mobilisés : microcrédit, prêt d'honneur, garantie bancaire.",
        "Le suivi se poursuit pendant les trois premières années d'activité pour sécuriser le démarrage.",
        "Les personnes qui perçoivent le RSA ou l'allocation chômage peuvent être accompagnées gratuitement.",
    ),
    "difficultes-administratives-ou-juridiques": (
        "Nous vous aidons à comprendre vos courriers administratifs et à y répondre.",
        "Un accompagnement est proposé pour constituer vos dossiers : RSA, prime d'activité, complémentaire santé "
        "solidaire, carte d'identité, titre de séjour.",
        "Des juristes tiennent des permanences gratuites et confidentielles pour répondre à vos questions.",
        "La domiciliation permet aux personnes sans adresse stable de recevoir leur courrier et de faire valoir "
        "leurs droits.",
        "Nos intervenants vous orientent si besoin vers les services compétents : CAF, CPAM, préfecture, tribunal.",
    ),
    "difficultes-financieres": (
        "Un conseiller vous reçoit pour faire le point sur votre budget, vos dépenses et vos ressources.",
        "En cas de difficulté ponctuelle, une aide financière peut être accordée après étude de votre situation.",
        "Nous vous accompagnons dans vos démarches auprès de vos créanciers et, si nécessaire, pour déposer un "
        "dossier de surendettement auprès de la Banque de France.",
        "Des ateliers collectifs abordent la gestion du budget, les économies d'énergie et les arnaques à éviter.",
        "L'accompagnement est gratuit, confidentiel et sans jugement.",
    ),
    "equipement-et-alimentation": (
        "Les distributions ont lieu chaque semaine, sur inscription préalable.",
        "Les produits alimentaires et d'hygiène sont proposés à 10 à 30 % de leur prix habituel.",
        "L'accès se fait sur orientation d'un travailleur social ou après un entretien d'accueil.",
        "Des vêtements pour toute la famille sont disponibles gratuitement ou à petit prix.",
        "Les bénévoles vous accueillent dans un cadre convivial ; un café est offert.",
        "Du petit électroménager et du mobilier remis en état sont proposés à prix solidaire.",
    ),
    "famille": (
        "Nous accompagnons les parents dans leur rôle éducatif, dans un cadre bienveillant.",
        "Des professionnels de la petite enfance accueillent vos enfants pendant que vous suivez une formation ou "
        "cherchez un emploi.",
        "Un espace de parole est proposé aux parents qui traversent une séparation ou un conflit familial.",
        "Les aidants familiaux trouvent ici écoute, information et solutions de répit.",
        "Les femmes victimes de violences sont reçues en toute confidentialité, avec ou sans rendez-vous.",
        "Des activités parents-enfants sont organisées pendant les vacances scolaires.",
    ),
    "lecture-ecriture-calcul": (
        "Les cours ont lieu en petits groupes de niveau, de l'alphabétisation au niveau B1.",
        "Un test de positionnement est réalisé à l'inscription pour vous orienter vers le groupe adapté.",
        "Les ateliers partent de situations de la vie quotidienne : faire ses courses, prendre un rendez-vous "
        "médical, comprendre un courrier.",
        "Les formateurs, salariés et bénévoles, sont formés à l'accompagnement des adultes.",
        "Les séances de remise à niveau portent sur la lecture, l'écriture et le calcul utiles au travail.",
    ),
    "logement-hebergement": (
        "Nous vous aidons à déposer ou à renouveler votre demande de logement social.",
        "Un travailleur social évalue votre situation et vous oriente vers une solution d'hébergement adaptée.",
        "En cas d'impayés de loyer, contactez-nous rapidement : des solutions existent pour éviter l'expulsion.",
        "Des aides peuvent couvrir le dépôt de garantie, le premier loyer ou les frais d'installation.",
        "L'accompagnement porte aussi sur l'entretien du logement, les relations avec le bailleur et les charges.",
        "En cas d'urgence, composez le 115, joignable gratuitement 24 h/24.",
    ),
    "mobilite": (
        "Nous vous aidons à lever les freins à la mobilité qui vous empêchent d'accéder à un emploi ou à une "
        "formation.",
        "Un conseiller mobilité réalise avec vous un diagnostic de vos besoins de déplacement.",
        "Des vélos, scooters et voitures sont mis à disposition pour une durée limitée, le temps de trouver une "
        "solution durable.",
        "L'accompagnement au permis comprend des cours de code et des leçons de conduite à votre rythme.",
        "Des aides peuvent prendre en charge une partie du coût du permis ou des réparations du véhicule.",
        "Réservé aux personnes en parcours d'insertion, sur prescription d'un professionnel.",
    ),
    "numerique": (
        "Des médiateurs numériques vous accompagnent pour utiliser un ordinateur, un smartphone ou une tablette.",
        "Nous vous aidons à faire vos démarches en ligne : déclaration de revenus, CAF, Ameli, France Travail.",
        "Des ordinateurs et une connexion Internet sont en accès libre pendant les heures d'ouverture.",
        "Les ateliers s'adressent aux débutants : aucun prérequis n'est demandé.",
        "Vous pouvez venir avec votre propre appareil.",
        "Des équipements reconditionnés sont proposés à prix solidaire aux personnes aux revenus modestes.",
    ),
    "preparer-sa-candidature": (
        "Un conseiller vous aide à rédiger un CV clair et une lettre de motivation adaptée à chaque offre.",
        "Les ateliers collectifs permettent d'échanger avec d'autres personnes en recherche d'emploi.",
        "Nous vous aidons à identifier vos compétences transférables et à les mettre en valeur.",
        "Des simulations d'entretien sont organisées avec des bénévoles issus du monde de l'entreprise.",
        "Vous repartez avec un CV imprimé et enregistré dans votre espace personnel.",
    ),
    "remobilisation": (
        "Ces activités permettent de reprendre confiance en soi et de retrouver un rythme.",
        "Des sorties culturelles et sportives sont proposées gratuitement ou à tarif réduit.",
        "Le groupe se retrouve chaque semaine dans un cadre convivial.",
        "Aucune inscription n'est nécessaire : venez comme vous êtes.",
        "L'objectif est de rompre l'isolement et de recréer du lien avec d'autres habitants du quartier.",
    ),
    "sante": (
        "Des professionnels de santé vous reçoivent gratuitement, même sans couverture sociale.",
        "Nous vous aidons à ouvrir vos droits à l'assurance maladie et à la complémentaire santé solidaire.",
        "Les consultations sont confidentielles et, si vous le souhaitez, anonymes.",
        "Une orientation vers des professionnels spécialisés est proposée si nécessaire.",
        "Un accompagnement est possible pour constituer votre dossier auprès de la MDPH.",
    ),
    "se-former": (
        "Nous vous informons sur les formations accessibles et sur leur financement : CPF, Région, France Travail.",
        "La formation alterne des périodes en centre et des stages en entreprise.",
        "À l'issue du parcours, vous pouvez obtenir un titre professionnel reconnu par l'État.",
        "Un conseiller vous aide à monter votre dossier d'inscription et de financement.",
        "Les sessions démarrent plusieurs fois par an ; une réunion d'information collective précède chaque entrée.",
    ),
    "souvrir-a-linternational": (
        "Nous vous informons sur les possibilités de stage, d'emploi ou de volontariat à l'étranger.",
        "Des aides existent pour financer le transport, le logement et l'assurance pendant votre séjour.",
        "De retour en France, un conseiller vous aide à faire valoir votre expérience et à retrouver vos droits.",
        "Certains programmes ne demandent aucun niveau de langue au départ.",
    ),
    "trouver-un-emploi": (
        "Nous proposons des contrats de travail adaptés aux personnes éloignées de l'emploi, avec un "
        "accompagnement socioprofessionnel.",
        "Les postes concernent surtout les espaces verts, le bâtiment, la logistique et les services à la personne.",
        "Un chargé de relations entreprises vous met en relation avec des employeurs qui recrutent.",
        "Le contrat peut être renouvelé jusqu'à 24 mois, le temps de construire votre projet professionnel.",
        "Une fois en poste, nous restons à vos côtés pour faciliter votre intégration.",
        "L'éligibilité au parcours d'insertion est vérifiée par un prescripteur habilité (France Travail, Mission "
        "locale, Cap emploi…).",
    ),
}

TYPE_SENTENCES = {
    ACC: (
        "Un référent unique vous suit tout au long de votre parcours.",
        "L'accompagnement est individuel, sur rendez-vous.",
        "Les rendez-vous ont lieu environ toutes les deux semaines.",
    ),
    FIN: (
        "L'aide est accordée après étude de votre situation par une commission.",
        "Son montant dépend de vos ressources et de la composition de votre foyer.",
        "La demande doit être faite avant d'engager la dépense.",
    ),
    MAT: (
        "Le matériel est mis à disposition contre une participation modeste.",
        "Les stocks varient selon les dons reçus.",
        "Une carte d'accès est remise après un premier entretien.",
    ),
    ATE: (
        "Les ateliers réunissent de 6 à 10 personnes.",
        "Chaque séance dure environ deux heures.",
        "Les ateliers ont lieu chaque semaine, hors vacances scolaires.",
    ),
    FOR: (
        "La formation se déroule sur plusieurs semaines, en petits groupes.",
        "Une attestation est remise à la fin du parcours.",
        "Les stagiaires peuvent être rémunérés pendant la formation.",
    ),
    INF: (
        "Les permanences d'information ont lieu sans rendez-vous.",
        "Une documentation est disponible en libre accès.",
        "Une réunion d'information collective est organisée chaque mois.",
    ),
}

PRACTICAL_SENTENCES = (
    "Pensez à apporter une pièce d'identité et un justificatif de domicile.",
    "Merci de prévenir en cas d'empêchement.",
    "Le lieu est accessible aux personnes à mobilité réduite.",
    "Un interprète peut être sollicité sur demande.",
    "Accès en transports en commun : arrêt Mairie.",
    "Parking gratuit à proximité.",
    "Les enfants sont les bienvenus.",
    "Rendez-vous possible en visioconférence.",
    "Les informations échangées restent confidentielles.",
    "Le service est fermé pendant les deux premières semaines d'août.",
)

# Longer descriptions read like the producers' own pages: intro, sections, bullet lists.
INTROS = (
    "{structure} propose ce service aux habitants {de_commune} et des communes voisines.",
    "{nom} : un service de {structure}.",
    "{a_commune_cap}, {structure} vous accueille pour ce service : {nom_lc}.",
    "Ce service s'adresse à toute personne qui rencontre des difficultés et souhaite être accompagnée.",
    "Vous habitez {a_commune} ou aux alentours ? {structure} vous propose : {nom_lc}.",
)
SECTION_TITLES = ("Pour qui ?", "Comment ça se passe ?", "Ce que nous proposons", "Modalités", "À savoir")
BULLET_INTROS = ("Au programme :", "Nous proposons notamment :", "Concrètement :")
BULLETS = (
    "un premier entretien pour faire le point sur votre situation",
    "un accompagnement individuel et personnalisé",
    "des ateliers collectifs thématiques",
    "une orientation vers nos partenaires si besoin",
    "un suivi régulier, à votre rythme",
    "des permanences sans rendez-vous",
    "une aide pour remplir les formulaires",
    "la mise à disposition d'un ordinateur et d'une imprimante",
)
EXTRA_SENTENCES = (
    "Notre équipe est composée de professionnels et de bénévoles formés.",
    "Le service existe depuis plus de dix ans et accompagne chaque année plusieurs centaines de personnes.",
    "Nous travaillons en lien étroit avec les travailleurs sociaux du département.",
    "Les demandes sont traitées dans un délai de quinze jours environ.",
    "En dehors des horaires d'ouverture, vous pouvez laisser un message : nous vous rappelons.",
    "Le nombre de places étant limité, pensez à vous inscrire rapidement.",
    "Nous pouvons vous recevoir dans nos locaux ou, si besoin, nous déplacer à votre domicile.",
    "Des permanences sont aussi assurées dans les mairies des communes rurales du secteur.",
)
SHORT_DESCRIPTIONS = (
    "Sur rendez-vous.",
    "Sans rendez-vous.",
    "Accueil inconditionnel.",
    "Voir conditions sur place.",
    "Permanence le mardi matin.",
    "Inscription obligatoire.",
    "Service gratuit et confidentiel.",
    "Contactez l'accueil.",
    "Places limitées.",
)

PUBLICS_BY_CATEGORY = {
    "choisir-un-metier": ("jeunes", "demandeurs-emploi", "beneficiaires-des-minimas-sociaux", "etudiants", "actifs"),
    "creer-une-entreprise": ("demandeurs-emploi", "beneficiaires-des-minimas-sociaux", "actifs", "femmes"),
    "difficultes-administratives-ou-juridiques": (
        "personnes-exilees",
        "beneficiaires-des-minimas-sociaux",
        "personnes-en-situation-juridique-specifique",
        "seniors",
        "personnes-en-situation-durgence",
    ),
    "difficultes-financieres": ("beneficiaires-des-minimas-sociaux", "familles", "seniors", "actifs"),
    "equipement-et-alimentation": (
        "beneficiaires-des-minimas-sociaux",
        "familles",
        "personnes-en-situation-durgence",
        "etudiants",
    ),
    "famille": ("familles", "femmes", "seniors", "residents-qpv-frr"),
    "lecture-ecriture-calcul": ("personnes-exilees", "demandeurs-emploi", "residents-qpv-frr"),
    "logement-hebergement": (
        "personnes-en-situation-durgence",
        "jeunes",
        "familles",
        "femmes",
        "actifs",
        "beneficiaires-des-minimas-sociaux",
    ),
    "mobilite": ("demandeurs-emploi", "jeunes", "beneficiaires-des-minimas-sociaux", "residents-qpv-frr", "actifs"),
    "numerique": ("seniors", "demandeurs-emploi", "beneficiaires-des-minimas-sociaux", "residents-qpv-frr"),
    "preparer-sa-candidature": ("demandeurs-emploi", "jeunes", "beneficiaires-des-minimas-sociaux"),
    "remobilisation": ("beneficiaires-des-minimas-sociaux", "jeunes", "seniors", "residents-qpv-frr"),
    "sante": (
        "personnes-en-situation-de-handicap",
        "personnes-en-situation-durgence",
        "jeunes",
        "personnes-exilees",
    ),
    "se-former": ("demandeurs-emploi", "jeunes", "actifs", "personnes-en-situation-de-handicap"),
    "souvrir-a-linternational": ("jeunes", "demandeurs-emploi", "etudiants"),
    "trouver-un-emploi": (
        "demandeurs-emploi",
        "beneficiaires-des-minimas-sociaux",
        "jeunes",
        "personnes-en-situation-de-handicap",
        "personnes-en-situation-juridique-specifique",
        "residents-qpv-frr",
    ),
}

PUBLICS_PRECISIONS = {
    "jeunes": ("Jeunes de 16 à 25 ans sortis du système scolaire", "Jeunes de moins de 30 ans"),
    "demandeurs-emploi": (
        "Personnes inscrites à France Travail depuis plus de 12 mois",
        "Demandeurs d'emploi de longue durée",
    ),
    "beneficiaires-des-minimas-sociaux": ("Bénéficiaires du RSA du département", "Allocataires du RSA ou de l'AAH"),
    "residents-qpv-frr": ("Habitants des quartiers prioritaires de la ville", "Habitants des communes rurales"),
    "femmes": ("Femmes victimes de violences et leurs enfants", "Femmes isolées avec enfants"),
    "seniors": ("Personnes de plus de 60 ans", "Retraités isolés"),
    "familles": ("Parents d'enfants de moins de 6 ans", "Familles monoparentales"),
    "personnes-en-situation-de-handicap": ("Personnes bénéficiant d'une RQTH", "Personnes orientées par la MDPH"),
    "personnes-exilees": ("Demandeurs d'asile et réfugiés", "Personnes primo-arrivantes"),
    "personnes-en-situation-durgence": ("Personnes sans domicile stable", "Personnes à la rue ou hébergées"),
    "personnes-en-situation-juridique-specifique": (
        "Personnes sortant de détention",
        "Personnes sous main de justice",
    ),
    "etudiants": ("Étudiants boursiers", "Étudiants en difficulté financière"),
    "actifs": ("Salariés à temps partiel", "Travailleurs précaires"),
    "tous-publics": ("Aucune condition d'âge", "Ouvert à tous, sans condition"),
}

CONDITIONS_ACCES = (
    "Être inscrit à France Travail",
    "Résider sur la commune",
    "Sur orientation d'un travailleur social",
    "Avoir entre 16 et 25 ans",
    "Être bénéficiaire du RSA",
    "Avoir un projet professionnel validé",
    "Pièce d'identité et justificatif de domicile",
    "Être éligible à l'insertion par l'activité économique",
    "Reconnaissance de la qualité de travailleur handicapé (RQTH)",
    "Quotient familial inférieur à 700 €",
    "Maîtrise de la langue française à l'oral et à l'écrit",
    "Aucune condition",
    "Avoir le permis B depuis au moins un an",
    "Présenter une attestation de domiciliation",
)

FRAIS_PRECISIONS_PAYANT = (
    "Adhésion annuelle de 10 €",
    "Participation de 2 € par séance",
    "Tarif selon le quotient familial",
    "5 € la séance, gratuit pour les bénéficiaires du RSA",
    "Adhésion de 1 € par an",
    "Participation de 10 % du prix habituel",
)
FRAIS_PRECISIONS_GRATUIT = (
    "Gratuit pour les bénéficiaires du RSA",
    "Gratuit, sans adhésion",
    "Gratuit, sur prescription",
)

MOBILISATION_PRECISIONS = (
    "Inscription par téléphone du lundi au vendredi.",
    "Orientation par un prescripteur habilité.",
    "Prendre rendez-vous en ligne.",
    "Se présenter aux heures de permanence, sans rendez-vous.",
    "Remplir le formulaire de demande disponible sur notre site.",
    "Le professionnel envoie une fiche de liaison par courriel.",
    "Candidature via la plateforme de l'inclusion.",
    "La demande se fait depuis votre espace personnel France Travail, rubrique « mes aides ».",
)

FIRST_NAMES = (
    "Marie",
    "Nathalie",
    "Isabelle",
    "Sophie",
    "Camille",
    "Julie",
    "Sandrine",
    "Aurélie",
    "Fatima",
    "Nadia",
    "Claire",
    "Élodie",
    "Jean",
    "Pierre",
    "Nicolas",
    "Thomas",
    "Julien",
    "Mehdi",
    "Karim",
    "François",
    "Laurent",
    "Stéphane",
    "Olivier",
    "Mamadou",
)
LAST_NAMES = (
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Benali",
    "Diallo",
    "Nguyen",
    "Da Silva",
)
